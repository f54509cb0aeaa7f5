"""Incidents from alerts: how soon after Alertmanager's webhook the diagnosis and the postmortem are in
the store, and what a burst of alert groups costs the diagnostics API in memory and in `/ask` latency.

    .venv/bin/python benchmarks/alerts.py [--alerts 20] [--burst 200] [--burst-seconds 120]

Starts `python -m services.diagnostics` on a free 127.0.0.1 port (INCIDENT_BUNDLE=incidents/oom-drill
for /ask, an incident store in a temporary folder, the default 2 workers and 100 queued groups) and the
Kubernetes API double (tests/servers/kube_api.py) serving the OOM drill's objects and logs, so each
incident captures namespace `default` over HTTP as in a cluster. No Prometheus: the metrics are missing
evidence, the rest is the real path (capture, redaction, diagnosis, the postmortem notebook by
papermill, index.html).

1. `--alerts` notifications of distinct groups (the OOM drill's KubePodCrashLooping, each its own
   groupKey, starting now), one at a time: from the POST to incident.json holding the diagnosis, and to
   the postmortem written, polled on disk every 20 ms.
2. `--burst` distinct groups posted at once, each refused one (503, queue full) posted again a second
   later as Alertmanager retries; meanwhile `/ask` is asked 10 times a second (the drill's pods and
   Services) and the API's memory sampled every 100 ms with psutil: the API process alone, and with
   the notebook kernels it starts (all of it counts against the container's limit). The burst lasts
   `--burst-seconds`; the groups not recorded by then are counted, not waited for (each one runs the
   notebooks: 200 of them take far longer than the figures need).

Targets: diagnosis ≤ 5 s after receipt, postmortem ≤ 30 s, API memory ≤ 256 MiB, /ask p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ask import bodies, free_port  # noqa: E402

from incident_lib.incidents.record import incident_id  # noqa: E402
from incident_lib.k8s.objects import format_time  # noqa: E402
from services.local_platform.cluster import kubeconfig  # noqa: E402
from tests.incidents.conftest import alert, payload  # noqa: E402
from tests.servers.cluster import recorded_logs, recorded_objects  # noqa: E402
from tests.servers.kube_api import TOKEN, KubeApiDouble  # noqa: E402

DRILL = ROOT / "incidents" / "oom-drill"
MIB = 1 << 20
POLL_S = 0.02
TARGETS = {"diagnosis": 5.0, "postmortem": 30.0, "memory": 256.0, "ask_p99": 250.0}


def notification(n: int, run: str) -> dict:
    """The OOM drill's KubePodCrashLooping as group `n` of this run, starting now."""
    started = format_time(datetime.now(UTC))
    group = f'{{}}:{{alertname="KubePodCrashLooping", run="{run}", n="{n}"}}'
    return payload(groupKey=group, alerts=[alert(startsAt=started, fingerprint=f"{run}{n:08x}")])


def record_path(store: Path, document: dict) -> Path:
    started = datetime.fromisoformat(document["alerts"][0]["startsAt"].replace("Z", "+00:00"))
    return store / incident_id(document["groupKey"], started) / "incident.json"


def read_record(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def start_api(store: Path, kube: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PROMETHEUS_"))},
        "INCIDENT_BUNDLE": str(DRILL),
        "INCIDENT_STORE": str(store),
        "KUBECONFIG": str(kube),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.diagnostics"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    sys.exit(f"the diagnostics API did not get ready: {log.read_text()[-2000:]}")


def sequential(url: str, store: Path, alerts: int) -> tuple[list[float], list[float]]:
    """Seconds from each POST to the diagnosis recorded, and to the postmortem written."""
    diagnosed, drafted = [], []
    for n in range(alerts):
        document = notification(n, "seq")
        path = record_path(store, document)
        start = time.perf_counter()
        answer = httpx.post(f"{url}/alerts", json=document, timeout=10)
        assert answer.status_code == 202, answer.text
        seen_diagnosis = None
        while time.perf_counter() - start < 300:
            record = read_record(path)
            now = time.perf_counter()
            if record and record["diagnosed_at"] and seen_diagnosis is None:
                seen_diagnosis = now - start
            if record and any(r.endswith("postmortem.md") for r in record["reports"]):
                diagnosed.append(seen_diagnosis if seen_diagnosis is not None else now - start)
                drafted.append(now - start)
                break
            if record and record["diagnosed_at"] is None and record["missing_evidence"]:
                sys.exit(f"alert {n} was not diagnosed: {record['missing_evidence']}")  # the capture failed
            time.sleep(POLL_S)
        else:
            sys.exit(f"alert {n}: no postmortem after 300 s")
        print(
            f"  alert {n + 1:>2}/{alerts}: diagnosis {diagnosed[-1]:.2f} s, postmortem {drafted[-1]:.2f} s",
            flush=True,
        )
    return diagnosed, drafted


async def burst(url: str, store: Path, api: psutil.Process, groups: int, seconds: float) -> dict:
    """Post `groups` distinct groups (503s retried a second later) while /ask is asked 10 times a second
    and the API's memory is sampled; return the counts and samples after `seconds`."""
    documents = [notification(n, "burst") for n in range(groups)]
    asks = bodies(DRILL)
    result = {"accepted": 0, "refused": 0, "ask_ms": [], "ask_codes": set(), "rss": [], "total": []}
    deadline = time.monotonic() + seconds

    async def post_until_accepted(client: httpx.AsyncClient, document: dict) -> None:
        while time.monotonic() < deadline:
            answer = await client.post(f"{url}/alerts", json=document)
            if answer.status_code == 202:
                result["accepted"] += 1
                return
            result["refused"] += 1
            await asyncio.sleep(1.0)

    async def ask(client: httpx.AsyncClient) -> None:
        n = 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            answer = await client.post(f"{url}/ask", json=asks[n % len(asks)])
            result["ask_ms"].append((time.perf_counter() - start) * 1000)
            result["ask_codes"].add(answer.status_code)
            n += 1
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - start)))

    async def sample() -> None:
        while time.monotonic() < deadline:
            try:
                own = api.memory_info().rss
                kernels = sum(c.memory_info().rss for c in api.children(recursive=True))
            except psutil.NoSuchProcess:
                kernels = 0
            result["rss"].append(own)
            result["total"].append(own + kernels)
            await asyncio.sleep(0.1)

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(post_until_accepted(client, d) for d in documents), ask(client), sample())
    result["recorded"] = sum(1 for d in documents if read_record(record_path(store, d)) is not None)
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def row(name: str, values: list[float], unit: str, target: float, judged: str = "p99") -> str:
    """One line of the table; the target is met when the p99 (or the `max`) is within it."""
    p50, p99 = statistics.median(values), percentile(values, 99)
    met = "yes" if (p99 if judged == "p99" else max(values)) <= target else "NO"
    figures = f"{p50:>9.2f} {p99:>9.2f} {min(values):>9.2f} {max(values):>9.2f}"
    return f"{name:<34} {len(values):>5} {figures}  {unit:<4} {target:>7g}  {met}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=20, help="alerts measured one at a time")
    parser.add_argument("--burst", type=int, default=200, help="distinct groups posted at once")
    parser.add_argument("--burst-seconds", type=float, default=120.0, help="how long the burst is watched")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp,
        KubeApiDouble(recorded_objects(), recorded_logs()) as kube_api,
    ):
        folder = Path(tmp)
        (folder / "kubeconfig").write_text(kubeconfig(kube_api.url, TOKEN))
        port = free_port()
        process = start_api(folder / "store", folder / "kubeconfig", port, folder / "api.log")
        url = f"http://127.0.0.1:{port}"
        try:
            print(f"{args.alerts} alerts, one at a time:", flush=True)
            diagnosed, drafted = sequential(url, folder / "store", args.alerts)
            print(f"burst of {args.burst} groups, watched for {args.burst_seconds:g} s:", flush=True)
            seen = asyncio.run(
                burst(url, folder / "store", psutil.Process(process.pid), args.burst, args.burst_seconds)
            )
        finally:
            process.terminate()
            process.wait(timeout=30)

    print()
    print(f"{'':<34} {'n':>5} {'p50':>9} {'p99':>9} {'min':>9} {'max':>9}  unit  target  met")
    print(row("webhook -> diagnosis recorded", diagnosed, "s", TARGETS["diagnosis"]))
    print(row("webhook -> postmortem written", drafted, "s", TARGETS["postmortem"]))
    print(row("/ask during the burst", seen["ask_ms"], "ms", TARGETS["ask_p99"]))
    print(row("API RSS during the burst", [b / MIB for b in seen["rss"]], "MiB", TARGETS["memory"], "max"))
    total = [b / MIB for b in seen["total"]]
    print(row("API + kernels RSS during the burst", total, "MiB", TARGETS["memory"], "max"))
    print()
    print(
        f"burst: {seen['accepted']} of {args.burst} groups accepted ({seen['refused']} answers 503, "
        f"retried), {seen['recorded']} recorded within {args.burst_seconds:g} s; "
        f"/ask answered {sorted(seen['ask_codes'])}"
    )
    print("memory rows: samples every 100 ms, judged by their max (the peak)")


if __name__ == "__main__":
    main()
