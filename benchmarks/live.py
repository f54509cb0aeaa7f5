"""Live-source benchmark: the PromQL catalogue against one query per pod, raw JSON against client models.

In one run, against the project's test servers (a real Prometheus from Debian's package, loaded with
promtool, and the Kubernetes API double in a process of its own):

1. a namespace of 500 pods, scraped every 30 s, swept with the catalogue (Prometheus' configuration,
   then one range query per signal per namespace) against the naive approach (one range query per
   signal per pod) at the same step: requests and time of each, and their ratio; a 50-pod namespace
   shows the catalogue's request count does not grow with pods.
   Targets: requests constant in the number of pods, at least 20x faster.
2. listing 5,000 pods (pages of 500, with managedFields as an API server keeps them) as raw JSON
   (`_preload_content=False`, collector paused, managedFields dropped: what the live source does)
   against the client's model deserialisation (`V1PodList`), with the collector on as the client
   leaves it, and paused: best-of-3 time and peak traced memory. Target: at least 5x faster.

This is a measurement: it prints its figures and exits 0 whether or not the targets are met.

    .venv/bin/python benchmarks/live.py                 # ~1 min on 2 CPUs
    .venv/bin/python benchmarks/live.py --pods 200 --list-pods 1000
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
import tracemalloc
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


def sweep(prom_url: str, pods: int) -> None:
    catalogue = PrometheusSource(prom_url)
    step = catalogue.fetch(["load"], START, END, signals=RESOURCE_SIGNALS).step  # and warm Prometheus' caches
    figures = {}
    for namespace in ("small", "load"):
        runs = []
        for _ in range(3):
            catalogue.calls = 0
            started = time.perf_counter()
            fetched = catalogue.fetch([namespace], START, END, signals=RESOURCE_SIGNALS)
            runs.append(time.perf_counter() - started)
        figures[namespace] = (catalogue.calls, min(runs), fetched)
    calls, catalogue_s, fetched = figures["load"]
    series = sum(len(b["data"]["result"]) for b in fetched.metrics.values())

    naive = PrometheusSource(prom_url)
    started = time.perf_counter()
    naive_series = 0
    for signal in RESOURCE_SIGNALS:
        query = promql(signal, "load")
        for i in range(pods):
            per_pod = query.replace('namespace="load"', f'namespace="load", pod="load-{i:05d}"')
            naive_series += len(naive.range_query(per_pod, START, END, step)["data"]["result"])
    naive_s = time.perf_counter() - started

    print(
        f"1. Sweep of a {pods}-pod namespace, {len(RESOURCE_SIGNALS)} resource signals, 30 min, step {step}"
    )
    print(f"   catalogue (per namespace): {calls:5d} requests  {catalogue_s:7.3f} s  ({series} series)")
    print(
        f"   naive (per pod):           {naive.calls:5d} requests  {naive_s:7.3f} s  ({naive_series} series)"
    )
    print(
        f"   ratio: {naive.calls / calls:.0f}x fewer requests, "
        f"{naive_s / catalogue_s:.1f}x faster (target 20x)"
    )
    small_calls = figures["small"][0]
    print(f"   catalogue requests at 50 pods: {small_calls}, at {pods} pods: {calls}"
          f" ({'constant' if small_calls == calls else 'NOT constant'} in the number of pods)")  # fmt: skip


def listing(pods: int) -> None:
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
        runs = [("raw JSON", raw_list), ("client models", model_list)]
        runs.append(("models, no gc", model_list_gc_paused))
        results = {name: measure(fn) for name, fn in runs}
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    print(f"2. Listing {pods} pods in pages of 500 from the API double (best of 3; peak traced memory)")
    for name, (count, seconds, peak) in results.items():
        print(f"   {name:14s} {count} pods  {seconds:7.3f} s  peak {peak / 2**20:7.1f} MiB")
    (_, raw_s, raw_peak), (_, model_s, model_peak), (_, paused_s, _) = results.values()
    print(
        f"   ratio: raw JSON {model_s / raw_s:.1f}x faster (target 5x), "
        f"{model_peak / raw_peak:.1f}x less memory; {paused_s / raw_s:.1f}x faster than models decoded"
        " with the collector paused too (the raw path pauses it)"
    )


def measure(fn) -> tuple[int, float, int]:
    times = []
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, min(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500, help="pods in the swept namespace (default 500)")
    parser.add_argument("--list-pods", type=int, default=5000, help="pods listed (default 5000)")
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
            sweep(prometheus.url, args.pods)
        finally:
            prometheus.stop()
    listing(args.list_pods)


if __name__ == "__main__":
    main()
