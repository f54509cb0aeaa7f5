"""`/ask` under load: the diagnostics API on several bundles, 50 concurrent clients on loopback, answers
not cached (each subject asked for the first time) and cached (the same subjects asked again).

    .venv/bin/python benchmarks/ask.py [--clients 50] [--pods 1000]

For each bundle (the four shipped incidents and a generated one of `--pods` pods), starts
`python -m services.diagnostics` on a free 127.0.0.1 port with INCIDENT_BUNDLE set, then sends every
pod and Service of the bundle once (the logs asked for every other subject): in bundle mode the API keeps
each answer, so these are diagnoses that run now, uncached. Then it sends the same bodies again, answered
from the cache: that measures the HTTP stack. The two phases are printed apart (requests/s and latency
p50, p90, p99, max), per bundle and over all bundles. Target: p99 under 100 ms on uncached subjects.

The clients are an asyncio httpx client in this process, on the same CPUs as the server (wrk is not
installed here): the client's own CPU time is printed beside the figures, since it is in them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic_cluster import generate_bundle  # noqa: E402

from incident_lib.sources.bundle import read_bundle  # noqa: E402

SHIPPED = sorted(p for p in (ROOT / "incidents").iterdir() if (p / "manifest.json").exists())
TARGET_P99_MS = 100.0


@dataclass
class Phase:
    """Latencies (ms), status codes, wall time and this process's CPU time of one batch of requests."""

    latencies: list[float] = field(default_factory=list)
    codes: Counter[int] = field(default_factory=Counter)
    wall: float = 0.0
    client_cpu: float = 0.0

    def add(self, other: Phase) -> None:
        self.latencies += other.latencies
        self.codes.update(other.codes)
        self.wall += other.wall
        self.client_cpu += other.client_cpu


def bodies(bundle: Path) -> list[dict]:
    """One `/ask` body per pod and Service of the bundle; every other one asks for the logs too."""
    snapshot = read_bundle(bundle)
    subjects = [(p.namespace, "pod_name", p.name) for p in snapshot.view.pods]
    subjects += [(s.namespace, "service_name", s.name) for s in snapshot.view.of_kind("Service")]
    return [
        {"namespace": namespace, key: name, "include_logs": i % 2 == 1}
        for i, (namespace, key, name) in enumerate(subjects)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(bundle: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "INCIDENT_BUNDLE": str(bundle), "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.diagnostics"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the diagnostics API on {bundle} did not become ready in 60 s")


async def send(url: str, requests: list[dict], clients: int) -> Phase:
    """`clients` workers on one connection each share `requests`, each body sent once."""
    phase = Phase()
    queue = iter(requests)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        for body in queue:
            started = time.perf_counter()
            response = await client.post(url, json=body)
            phase.latencies.append((time.perf_counter() - started) * 1000)
            phase.codes[response.status_code] += 1

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        phase.wall = time.perf_counter() - started
        phase.client_cpu = time.process_time() - cpu
    return phase


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def print_phase(name: str, phase: Phase) -> None:
    ms = phase.latencies
    print(
        f"  {name:<30} {len(ms):>6}  {len(ms) / phase.wall:>7,.0f}/s  "
        f"{percentile(ms, 0.50):>7.1f} {percentile(ms, 0.90):>7.1f} {percentile(ms, 0.99):>7.1f} "
        f"{max(ms):>7.1f}  {100 * phase.client_cpu / phase.wall:>4.0f}%  {dict(phase.codes)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pods", type=int, default=1000, help="pods of the generated bundle (default 1000)")
    args = parser.parse_args()
    totals = {"uncached": Phase(), "cached": Phase()}
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / f"synthetic-{args.pods}-pods"
        generate_bundle(generated, args.pods, 5 * args.pods, 20251217, args.pods // 5, args.pods // 10, 30)
        print(
            f"/ask, {args.clients} concurrent clients, {os.cpu_count()} CPUs, one uvicorn worker per bundle; "
            "latency in ms; client CPU = this process's share of the wall time"
        )
        latency = " ".join(f"{c:>7}" for c in ("p50", "p90", "p99", "max"))
        print(f"  {'bundle, phase':<30} {'asks':>6}  {'rate':>9}  {latency}  client")
        for bundle in [*SHIPPED, generated]:
            requests = bodies(bundle)
            port = free_port()
            process = start(bundle, port)
            try:
                url = f"http://127.0.0.1:{port}/ask"
                for name, phase in totals.items():  # uncached first: each subject's first answer
                    measured = asyncio.run(send(url, requests, args.clients))
                    print_phase(f"{bundle.name}, {name}", measured)
                    phase.add(measured)
            finally:
                process.terminate()
                process.wait(timeout=10)
    print()
    for name, phase in totals.items():
        print_phase(f"all bundles, {name}", phase)
    p99 = percentile(totals["uncached"].latencies, 0.99)
    verdict = "met" if p99 < TARGET_P99_MS else "NOT met"
    print(f"target: p99 under {TARGET_P99_MS:g} ms on uncached subjects: {p99:.1f} ms, {verdict}")


if __name__ == "__main__":
    main()
