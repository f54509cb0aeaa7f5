"""A real Prometheus (Debian's package) on a free loopback port, loaded with OpenMetrics through promtool.

`openmetrics_for_drill()` writes what the OOM drill's cluster would have scraped: the oom-test pod's
memory climbing to its 256Mi limit and OOM-killed four times (restarts, last termination reason),
CPU and throttling counters, resource limits and requests, and for the apps services request counters
with 5xx and latency histograms in both traffic profiles (the services' own and Istio's). Istio's series
come twice, as a mesh has them: reported by the caller's sidecar (`reporter="source"`, what the
catalogue reads) and by the service's own (`reporter="destination"`), so a query that mixed them
would count every request twice.
Each Istio series names both the Service the request was sent to (`destination_service_name`, what
the catalogue groups by) and the workload that answered it (`destination_workload`).
`openmetrics_for_canary()` writes the traffic of one Service with a `-v2` canary workload behind it.
`load_namespace()` writes the resource metrics of N pods of one namespace, for the benchmark.
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from incident_lib.k8s.objects import parse_time

PROMETHEUS, PROMTOOL = shutil.which("prometheus"), shutil.which("promtool")
MISSING = "Debian's prometheus package (prometheus, promtool) is not installed; .ci/run installs it"

DRILL_START = parse_time("2025-12-17T09:20:00Z")  # 15 min before the incident window: rates need history
DRILL_END = parse_time("2025-12-17T10:05:00Z")
OOM_POD = "oom-test-7f77d89c59-vqgkt"
OOM_KILLS = [parse_time(t) for t in ("2025-12-17T09:57:15Z", "2025-12-17T09:59:45Z",
                                     "2025-12-17T10:02:15Z", "2025-12-17T10:03:45Z")]  # fmt: skip
LIMIT = 256 * 1024 * 1024
APPS = {  # pod -> (container, service)
    "backend-api-b6x9lqnrjx-smgvh": ("backend-api", "backend-api"),
}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

Sample = tuple[str, dict[str, str], float, float]  # metric name, labels, timestamp, value


def openmetrics_for_drill(apps_pods: dict[str, tuple[str, str]] | None = None) -> str:
    """The drill's metrics from 09:20 to 10:05 on 2025-12-17, every 15 s, as OpenMetrics text."""
    apps_pods = apps_pods or APPS
    samples: list[Sample] = []
    for t in _times(DRILL_START, DRILL_END, 15):
        samples += _oom_test(t)
        for i, (pod, (container, service)) in enumerate(sorted(apps_pods.items())):
            samples += _steady_pod("apps", pod, container, t, 27 * 2**20 + i * 2**20, 0.001)
            samples += _traffic("apps", service, t, error_ratio=0.12 if i == 0 else 0.0)
    return _render(samples)


def openmetrics_for_canary(
    namespace: str = "apps", service: str = "payments", canary_error_ratio: float = 0.5
) -> str:
    """Istio and HTTP traffic of one Service routing to two workloads, `<service>` and the canary
    `<service>-v2` (as the chart deploys it), same request rate each, 5xx only from the canary."""
    samples: list[Sample] = []
    for t in _times(DRILL_START, DRILL_END, 15):
        samples += _traffic(namespace, service, t, error_ratio=0.0, workload=service)
        samples += _traffic(namespace, service, t, error_ratio=canary_error_ratio, workload=f"{service}-v2")
    return _render(samples)


def load_namespace(namespace: str, pods: int, start: datetime, end: datetime, step: int = 30) -> str:
    """Resource metrics of `pods` running pods of `namespace`, as OpenMetrics text."""
    samples: list[Sample] = []
    for t in _times(start, end, step):
        for i in range(pods):
            samples += _steady_pod(namespace, f"load-{i:05d}", "backend-api", t, (20 + i % 40) * 2**20, 0.002)
    return _render(samples)


def _times(start: datetime, end: datetime, step: int) -> Iterator[float]:
    t = start.timestamp()
    while t <= end.timestamp():
        yield t
        t += step


def _labels(namespace: str, pod: str, container: str, **more: str) -> dict[str, str]:
    return {"namespace": namespace, "pod": pod, "container": container, **more}


def _oom_test(t: float) -> list[Sample]:
    born = parse_time("2025-12-17T09:55:00Z").timestamp()
    if t < born:
        return []
    kills = [k.timestamp() for k in OOM_KILLS if k.timestamp() <= t]
    since = t - (kills[-1] if kills else born)
    memory = min(LIMIT + 8 * 2**20, 40 * 2**20 + since * 1.6 * 2**20)  # climbs ~1.6 MiB/s to the limit
    labels = _labels("default", OOM_POD, "app")
    samples = [
        ("container_memory_working_set_bytes", labels, t, memory),
        ("container_cpu_usage_seconds_total", labels, t, 0.19 * (t - born)),
        ("container_cpu_cfs_periods_total", labels, t, 10 * (t - born)),
        ("container_cpu_cfs_throttled_periods_total", labels, t, 4 * (t - born)),
        *_kube_state("default", OOM_POD, "app", t, restarts=len(kills)),
    ]
    if kills:
        samples.append(
            ("kube_pod_container_status_last_terminated_reason", {**labels, "reason": "OOMKilled"}, t, 1)
        )
    return samples


def _steady_pod(
    namespace: str, pod: str, container: str, t: float, memory: float, cores: float
) -> list[Sample]:
    labels = _labels(namespace, pod, container)
    wobble = 2**20 * math.sin(t / 300)
    return [
        ("container_memory_working_set_bytes", labels, t, round(memory + wobble)),
        ("container_cpu_usage_seconds_total", labels, t, cores * (t - DRILL_START.timestamp())),
        ("container_cpu_cfs_periods_total", labels, t, 10 * (t - DRILL_START.timestamp())),
        ("container_cpu_cfs_throttled_periods_total", labels, t, 0),
        *_kube_state(namespace, pod, container, t, restarts=0),
    ]


def _kube_state(namespace: str, pod: str, container: str, t: float, restarts: int) -> list[Sample]:
    labels = _labels(namespace, pod, container)
    return [
        ("kube_pod_container_resource_limits", {**labels, "resource": "memory", "unit": "byte"}, t, LIMIT),
        ("kube_pod_container_resource_requests", {**labels, "resource": "cpu", "unit": "core"}, t, 0.05),
        ("kube_pod_container_status_restarts_total", labels, t, restarts),
    ]


def _traffic(namespace: str, service: str, t: float, error_ratio: float, workload: str = "") -> list[Sample]:
    elapsed = t - DRILL_START.timestamp()
    requests, errors = 20 * elapsed, 20 * elapsed * error_ratio
    http = {
        "namespace": namespace,
        "service": service,
        **({"instance": f"{workload}:8080"} if workload else {}),
    }
    # the service's own 5xx: both sidecars see them. Istio labels each request with the Service it was
    # sent to (`destination_service*`, what the catalogue groups by) and the workload that answered it.
    destination = {
        "destination_service": f"{service}.{namespace}.svc.cluster.local",
        "destination_service_name": service,
        "destination_service_namespace": namespace,
        "destination_workload": workload or service,
        "destination_workload_namespace": namespace,
    }
    reporters = [{**destination, "reporter": reporter} for reporter in ("source", "destination")]
    samples = [
        ("http_requests_total", {**http, "status": "200"}, t, requests - errors),
        ("http_requests_total", {**http, "status": "500"}, t, errors),
    ]
    for istio in reporters:
        samples += [
            ("istio_requests_total", {**istio, "response_code": "200"}, t, requests - errors),
            ("istio_requests_total", {**istio, "response_code": "503"}, t, errors),
        ]
    for le in (*BUCKETS, math.inf):
        # most requests take 20-60 ms, a slow tenth up to 2 s
        share = min(1.0, 0.9 * min(1.0, le / 0.06) + (0.1 * min(1.0, le / 2.0) if le >= 0.1 else 0))
        bound = "+Inf" if le == math.inf else repr(le)
        samples.append(("http_request_duration_seconds_bucket", {**http, "le": bound}, t, requests * share))
        ms = "+Inf" if le == math.inf else repr(le * 1000)
        samples += [
            ("istio_request_duration_milliseconds_bucket", {**istio, "le": ms}, t, requests * share)
            for istio in reporters
        ]
    return samples


def _render(samples: Iterable[Sample]) -> str:
    """OpenMetrics text: families contiguous, each series' samples in time order, `# EOF` at the end."""
    series: dict[str, dict[tuple, list[tuple[float, float]]]] = {}
    for name, labels, t, value in samples:
        series.setdefault(name, {}).setdefault(tuple(sorted(labels.items())), []).append((t, value))
    lines = []
    for name in sorted(series):
        for labels, points in series[name].items():
            label_text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines += [f"{name}{{{label_text}}} {value} {t:.0f}" for t, value in points]
    return "\n".join([*lines, "# EOF", ""])


class PrometheusServer:
    """A `prometheus` process serving blocks created from OpenMetrics text, until `stop()`.

    Its configuration's `scrape_interval` says how far apart the samples are, as if it had scraped them.
    """

    def __init__(self, workdir: Path, openmetrics: str, scrape_interval: str = "15s") -> None:
        self.workdir = workdir
        data = workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        source = workdir / "metrics.om.txt"
        source.write_text(openmetrics)
        subprocess.run(
            [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        source.unlink()
        (workdir / "prometheus.yml").write_text(f"global:\n  scrape_interval: {scrape_interval}\n")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = (workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=100y",  # the blocks hold 2025's incident
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"prometheus exited: {(self.workdir / 'prometheus.log').read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"prometheus not ready within {seconds} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def free_port() -> int:
    """A TCP port nothing listens on at the moment (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
