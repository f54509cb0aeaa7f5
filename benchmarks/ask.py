"""`/ask` under load: the diagnostics API on the shipped bundle, 50 concurrent clients on loopback.

    .venv/bin/python benchmarks/ask.py [--requests 2000] [--clients 50] [--seconds 5]

Starts `python -m services.diagnostics` on a free 127.0.0.1 port with INCIDENT_BUNDLE=incidents/oom-drill,
sends the runbook's request bodies round-robin (after one warm-up request each), and prints throughput
and latency percentiles (target: p99 under 100 ms). Answers are kept per subject in bundle mode, so the
figures are those of a warm API; the cost of a first (uncached) answer is printed separately, measured
in-process. With Debian's `wrk` installed, the same load is also sent by wrk, a C client: the
Python client's own CPU cost, on a 2-CPU machine it shares with the server, dominates its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "incidents" / "oom-drill"
BODIES = [
    {"namespace": "apps", "service_name": "backend-api", "include_logs": False},
    {"namespace": "default", "pod_name": "oom-test-7f77d89c59-vqgkt", "include_logs": True},
    {"namespace": "apps", "pod_name": "backend-api-b6x9lqnrjx-smgvh", "include_logs": False},
]
TARGET_P99_MS = 100.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int) -> subprocess.Popen:
    env = {**os.environ, "INCIDENT_BUNDLE": str(BUNDLE), "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.diagnostics"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the diagnostics API did not become ready in 20 s")


async def load(url: str, requests: int, clients: int) -> tuple[list[float], Counter[int], float]:
    """`clients` workers share `requests`; each request's latency in seconds, the status codes, wall time."""
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    queue = iter(range(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in queue:
            started = time.perf_counter()
            response = await client.post(url, json=BODIES[i % len(BODIES)])
            latencies.append(time.perf_counter() - started)
            codes[response.status_code] += 1

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for body in BODIES:  # warm-up: one request per body
            (await client.post(url, json=body)).raise_for_status()
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - started
    return latencies, codes, wall


def uncached_ms() -> dict[str, float]:
    """The in-process time of a first answer per body (diagnosis and JSON), median of 20."""
    from incident_lib.sources.bundle import read_bundle
    from services.diagnostics.backends import answer
    from services.diagnostics.models import AskRequest

    snapshot = read_bundle(BUNDLE)
    times = {}
    for body in BODIES:
        request = AskRequest(**body)
        runs = []
        for _ in range(20):
            started = time.perf_counter()
            answer(snapshot, request, snapshot.log, 50)
            runs.append(time.perf_counter() - started)
        times[body.get("pod_name") or body["service_name"]] = statistics.median(runs) * 1000
    return times


WRK_SCRIPT = """
bodies = {%s}
i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def wrk(url: str, clients: int, seconds: int) -> dict[str, str] | None:
    """The same load from `wrk` (Debian's package), a C client that leaves the CPUs to the server:
    requests/s and the latency distribution it prints; None when wrk is not installed."""
    if shutil.which("wrk") is None:
        return None
    bodies = ", ".join("'" + json.dumps(b) + "'" for b in BODIES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % bodies)
        script.flush()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script.name, url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    figures = dict(re.findall(r"^\s+(50%|90%|99%)\s+(\S+)$", out, re.MULTILINE))
    figures["requests"] = re.search(r"(\d+) requests in", out).group(1)
    figures["rate"] = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    return figures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=5, help="how long wrk loads the API")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    port = free_port()
    process = start(port)
    try:
        latencies, codes, wall = asyncio.run(
            load(f"http://127.0.0.1:{port}/ask", args.requests, args.clients)
        )
        by_wrk = wrk(f"http://127.0.0.1:{port}/ask", args.clients, args.seconds)
    finally:
        process.terminate()
        process.wait(timeout=10)
    ms = [s * 1000 for s in latencies]
    p99 = percentile(ms, 0.99)
    print(
        f"/ask on {BUNDLE.relative_to(ROOT)}: {args.requests} requests, {args.clients} concurrent clients, "
        f"{os.cpu_count()} CPUs, one uvicorn worker"
    )
    print(f"  status codes       {dict(codes)}")
    print(f"  throughput         {len(ms) / wall:,.0f} requests/s ({wall:.2f} s)")
    print(f"  latency p50        {percentile(ms, 0.50):.1f} ms")
    print(f"  latency p90        {percentile(ms, 0.90):.1f} ms")
    print(
        f"  latency p99        {p99:.1f} ms   (target < {TARGET_P99_MS:g} ms: "
        f"{'met' if p99 < TARGET_P99_MS else 'NOT met'})"
    )
    print(f"  latency max        {max(ms):.1f} ms")
    print("  (the Python client shares the 2 CPUs with the server: its own cost is in these figures)")
    if by_wrk is None:
        print("wrk: not installed (apt-get install wrk) - no figure from a C client")
    else:
        sent = by_wrk["requests"]
        print(f"wrk, {args.clients} connections for {args.seconds} s (a C client, {sent} requests):")
        print(f"  throughput         {by_wrk['rate']} requests/s")
        for q in ("50%", "90%", "99%"):
            print(f"  latency p{q[:-1]:<2}       {by_wrk[q]}")
    for subject, cost in uncached_ms().items():
        print(f"  first answer for {subject}: {cost:.1f} ms in-process (diagnosis + JSON, then kept)")


if __name__ == "__main__":
    main()
