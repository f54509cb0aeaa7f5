"""Live-source benchmark: the PromQL catalogue against one query per pod, raw JSON against client models.

In one run, against the project's test servers (a real Prometheus from Debian's package, loaded with
promtool, and the Kubernetes API double in a process of its own):

1. a namespace of 500 pods, scraped every 30 s, swept with the catalogue (Prometheus' configuration,
   then one range query per signal per namespace) against the naive approach (one range query per
   signal per pod) at the same step: requests and time of each, and their ratio; a 50-pod namespace
   shows the catalogue's request count does not grow with pods.
   Targets: requests constant in the number of pods, at least 20x faster.
2. listing 5,000 pods (pages of 500, with managedFields as an API server keeps them) as raw JSON
   (`_preload_content=False`, managedFields dropped: what the live source does) against the client's
   model deserialisation (`V1PodList`): time and peak traced memory. Target: at least 5x faster.

Like with like: the collector is paused on both sides of each ratio (the live sources pause it while they
decode, so the naive queries and the client models run paused too); the client models with the collector
on, as the client leaves it, are printed for reference only. The approaches run interleaved, `--runs`
times; figures are the median with the spread (min-max), never the best run.

This is a measurement: it prints its figures and exits 0 whether or not the targets are met.

    .venv/bin/python benchmarks/live.py                 # ~1 min on 2 CPUs
    .venv/bin/python benchmarks/live.py --pods 200 --list-pods 1000
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubernetes import client  # noqa: E402

from incident_lib.gc_pause import gc_paused  # noqa: E402
from incident_lib.k8s.objects import parse_time  # noqa: E402
from incident_lib.metrics.catalogue import SIGNALS, promql  # noqa: E402
from incident_lib.sources.kubernetes import KubeSource  # noqa: E402
from incident_lib.sources.prometheus import PrometheusSource  # noqa: E402
from tests.servers.kube_api import TOKEN  # noqa: E402
from tests.servers.prometheus import MISSING, PROMETHEUS, PROMTOOL, PrometheusServer, load_namespace  # noqa: E402

START, END = parse_time("2025-12-17T09:35:00Z"), parse_time("2025-12-17T10:05:00Z")
DATA_START = parse_time("2025-12-17T09:25:00Z")  # rates over [5m] need history before the window
RESOURCE_SIGNALS = tuple(name for name, s in SIGNALS.items() if s.profile == "resources")


def interleaved(approaches: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Seconds of each approach, run after run in turn, so slow drifts of a shared machine hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in approaches}
    for _ in range(runs):
        for name, approach in approaches.items():
            gc.collect()
            started = time.perf_counter()
            approach()
            times[name].append(time.perf_counter() - started)
    return times


def spread(values: list[float], unit: str = " s") -> str:
    """`median [min-max]`."""
    return f"{statistics.median(values):7.3f}{unit} [{min(values):.3f}-{max(values):.3f}]"


def ratios(slow: list[float], fast: list[float]) -> list[float]:
    """`slow / fast` run by run: the runs were interleaved, so each pair saw the same machine."""
    return [s / f for s, f in zip(slow, fast, strict=True)]


def sweep(prom_url: str, pods: int, runs: int) -> None:
    catalogue = PrometheusSource(prom_url)
    step = catalogue.fetch(["load"], START, END, signals=RESOURCE_SIGNALS).step  # and warm Prometheus' caches
    calls = {}
    for namespace in ("small", "load"):
        catalogue.calls = 0
        fetched = catalogue.fetch([namespace], START, END, signals=RESOURCE_SIGNALS)
        calls[namespace] = catalogue.calls
    series = sum(len(b["data"]["result"]) for b in fetched.metrics.values())
    naive = PrometheusSource(prom_url)

    def per_pod() -> int:
        found = 0
        with gc_paused():  # as the catalogue's fetch
            for signal in RESOURCE_SIGNALS:
                query = promql(signal, "load")
                for i in range(pods):
                    per_pod = query.replace('namespace="load"', f'namespace="load", pod="load-{i:05d}"')
                    found += len(naive.range_query(per_pod, START, END, step)["data"]["result"])
        return found

    naive_series = per_pod()
    naive_calls, naive.calls = naive.calls, 0
    times = interleaved(
        {
            "catalogue": lambda: catalogue.fetch(["load"], START, END, signals=RESOURCE_SIGNALS),
            "naive": per_pod,
        },
        runs,
    )
    print(
        f"1. Sweep of a {pods}-pod namespace, {len(RESOURCE_SIGNALS)} resource signals, 30 min, step {step}"
        f" (median [min-max] of {runs} interleaved runs, collector paused on both sides)"
    )
    catalogue_s, naive_s = spread(times["catalogue"]), spread(times["naive"])
    print(f"   catalogue (per namespace): {calls['load']:5d} requests  {catalogue_s}  ({series} series)")
    print(f"   naive (per pod):           {naive_calls:5d} requests  {naive_s}  ({naive_series} series)")
    print(
        f"   ratio: {naive_calls / calls['load']:.0f}x fewer requests, "
        f"{spread(ratios(times['naive'], times['catalogue']), 'x')} faster (target 20x)"
    )
    constant = "constant" if calls["small"] == calls["load"] else "NOT constant"
    print(f"   catalogue requests at 50 pods: {calls['small']}, at {pods}: {calls['load']} ({constant})")


def listing(pods: int, runs: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.kube_api", "--pods", str(pods)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()
        configuration = client.Configuration()
        configuration.host = url
        configuration.api_key = {"authorization": TOKEN}
        configuration.api_key_prefix = {"authorization": "Bearer"}
        api_client = client.ApiClient(configuration)
        raw = KubeSource(api_client, "bench", timeout=60)
        core = client.CoreV1Api(api_client)

        def raw_list() -> int:
            return len(raw.list("Pod", "load"))

        def model_list() -> int:
            items, token = [], None
            while True:
                page = core.list_namespaced_pod("load", limit=500, _continue=token, _request_timeout=(5, 60))
                items.extend(page.items)
                token = page.metadata._continue
                if not token:
                    return len(items)

        def model_list_gc_paused() -> int:
            with gc_paused():
                return model_list()

        raw_list(), model_list()  # warm: connections, the server's page cache
        approaches = {
            "raw JSON": raw_list,  # pauses the collector itself
            "client models": model_list_gc_paused,
            "models, gc on": model_list,
        }
        times = interleaved(approaches, runs)
        peaks = {name: traced_peak(approach) for name, approach in approaches.items()}
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    print(
        f"2. Listing {pods} pods in pages of 500 from the API double (median [min-max] of {runs} interleaved"
        " runs; peak traced memory)"
    )
    for name in approaches:
        print(f"   {name:14s} {spread(times[name])}  peak {peaks[name] / 2**20:7.1f} MiB")
    print(
        f"   ratio, collector paused on both sides: raw JSON "
        f"{spread(ratios(times['client models'], times['raw JSON']), 'x')} faster (target 5x), "
        f"{peaks['client models'] / peaks['raw JSON']:.1f}x less memory"
    )
    print("   (models, gc on: the client's models as it leaves the collector, for reference, not in a ratio)")


def traced_peak(approach: Callable[[], object]) -> int:
    """Peak bytes allocated by Python while `approach` runs."""
    gc.collect()
    tracemalloc.start()
    approach()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500, help="pods in the swept namespace (default 500)")
    parser.add_argument("--list-pods", type=int, default=5000, help="pods listed (default 5000)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs of each approach (default 5)")
    args = parser.parse_args()
    if not (PROMETHEUS and PROMTOOL):
        sys.exit(MISSING)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        text = load_namespace("load", args.pods, DATA_START, END) + load_namespace(
            "small", 50, DATA_START, END
        )
        # two documents: promtool wants one `# EOF`, at the end
        text = text.replace("# EOF\n", "", 1)
        prometheus = PrometheusServer(Path(tmp), text, scrape_interval="30s")  # load_namespace's step
        print(f"Prometheus {prometheus.url} ready with {args.pods + 50} pods' metrics in "
              f"{time.perf_counter() - started:.1f} s (promtool create-blocks-from openmetrics)")  # fmt: skip
        try:
            sweep(prometheus.url, args.pods, args.runs)
        finally:
            prometheus.stop()
    listing(args.list_pods, args.runs)


if __name__ == "__main__":
    main()
