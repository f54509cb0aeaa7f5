"""Reconstruct the shipped bundles of the other failure drills, on the lab cluster of ``reconstruct.py``.

Each drill is applied to the lab with the OOM drill removed; the cluster around it is
``reconstruct.py``'s (its functions build it), and what the drill changes is written here.

``crash-loop/``: ``failures/crashloop.yaml`` applied at 10:20:00 on the same lab (the OOM drill removed):
Deployment ``crashloop-test`` in ``default`` runs busybox that prints
``fatal: required setting DATABASE_URL is not set`` to stderr and exits 1 on start. The kubelet
restarts it with the crash-loop back-off (10s, 20s, 40s, 80s, 160s), so at the capture (10:29:00) it
has restarted 5 times and waits in CrashLoopBackOff; ``kubectl logs --previous`` holds the fatal line.

``bad-service/``: ``failures/bad-service.yaml`` applied at 10:40:00: Service ``bad-service`` in ``default``
selects ``app=no-such-app``, which no pod carries; the endpoints controller writes an Endpoints object
with no subsets. Captured at 10:45:00.

``latency/``: ``failures/latency.yaml`` applied at 10:40:00: the payments-service VirtualService delays
every request by 1.5 s. Istio injects the delay in the caller's sidecar, so it shows where callers
measure: the source-reported Istio latency of payments-service (``reporter="source"``, what the
catalogue reads) crosses the 1 s SLO within a scrape, while payments-service's own ``http_*`` latency
stays normal (its handlers are as fast as ever). backend-api, the only caller of payments-service, waits
on it on its checkout path (3% of its requests): its own ``http_*`` latency, and the source-reported
Istio latency of the ingress gateway's requests to it, cross the SLO later, as the delayed share of
its requests grows. Captured at 10:55:00.

Reconstructed, not captured: the drills' objects, events, logs and metric series are written in the
shapes the Kubernetes API, ``kubectl`` and the Prometheus HTTP API produce, deterministically.

Rerun from the repository root with the project installed:

    python incidents/reconstruct_drills.py
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import reconstruct as lab  # puts the repository root, and so tools/, on sys.path
from reconstruct import Obj

from tools import k8s_objects as k8s
from tools.k8s_objects import timestamp
from tools.prometheus_responses import matrix_series

ROOT = Path(__file__).resolve().parent

CL_NS = "default"
CL_DEPLOY = "crashloop-test"
CL_RS = "crashloop-test-5d8f9c7b6d"
CL_POD = "crashloop-test-5d8f9c7b6d-w4k2x"
CL_NODE = "kubeworker1"
CL_IMAGE = "busybox:1.36.1"
CL_CREATED = datetime(2025, 12, 17, 10, 20, 0, tzinfo=UTC)
CL_CAPTURED = datetime(2025, 12, 17, 10, 29, 0, tzinfo=UTC)
CL_WINDOW = (datetime(2025, 12, 17, 10, 10, 0, tzinfo=UTC), CL_CAPTURED)
# Each instance exits 1 within a second of its start; the next start follows the back-off.
CL_STARTS = [
    datetime(2025, 12, 17, 10, 20, 4, tzinfo=UTC),
    datetime(2025, 12, 17, 10, 20, 19, tzinfo=UTC),
    datetime(2025, 12, 17, 10, 20, 45, tzinfo=UTC),
    datetime(2025, 12, 17, 10, 21, 27, tzinfo=UTC),
    datetime(2025, 12, 17, 10, 22, 58, tzinfo=UTC),
    datetime(2025, 12, 17, 10, 25, 40, tzinfo=UTC),
]
CL_FATAL = "fatal: required setting DATABASE_URL is not set\n"


def crashloop_drill(ips: lab.IPs) -> list[Obj]:
    """Return Deployment `crashloop-test`, its ReplicaSet and the crash-looping pod, as of the capture."""
    container = {
        "command": ["sh", "-c", "echo 'fatal: required setting DATABASE_URL is not set' >&2; exit 1"],
        "image": CL_IMAGE,
        "name": "app",
        "resources": lab.resources({"cpu": "10m", "memory": "16Mi"}, {"memory": "32Mi"}),
    }
    labels = {"app": CL_DEPLOY, "incident-lab/drill": "crashloop"}
    annotations = {"incident-lab/expected-root-cause": "crash_loop"}
    deploy, rs = lab.deployment(
        CL_NS,
        CL_DEPLOY,
        labels=labels,
        selector={"app": CL_DEPLOY},
        pod_labels=labels,
        spec=lab.template_spec([container]),
        created=CL_CREATED,
        rs_hash=CL_RS.rsplit("-", 1)[1],
        available=None,
        annotations=annotations,
    )
    status = lab.crash_looping_status(
        CL_POD,
        CL_NS,
        container,
        (CL_STARTS[-1], CL_STARTS[-1]),  # each run exits within its first second
        runs=len(CL_STARTS),
        restarts=len(CL_STARTS) - 1,
        reason="Error",
        exit_code=1,
        delay="5m0s",
    )
    pod = lab.replica_pod(
        ips,
        rs,
        CL_NODE,
        CL_CREATED,
        name=CL_POD,
        started=CL_STARTS[0],
        statuses=[status],
        conditions=lab.not_ready_conditions(CL_CREATED, CL_STARTS[0], "app"),
        changed=CL_STARTS[-1] + timedelta(seconds=1),
    )
    pod["metadata"].setdefault("annotations", {}).update(annotations)
    return [deploy, rs, pod]


def crashloop_events(deploy: Obj, rs: Obj, pod: Obj) -> list[Obj]:
    """The drill's events at capture: rollout, one pull, then Created/Started/BackOff counted up."""
    fp = "spec.containers{app}"
    on_pod = {"host": CL_NODE, "field_path": fp}
    out = lab.rollout_events(deploy, rs, pod, CL_IMAGE, pull="1.204")
    out += [
        lab.event(
            pod,
            "Pulled",
            f'Container image "{CL_IMAGE}" already present on machine',
            CL_STARTS[1] - timedelta(seconds=1),
            last=CL_STARTS[-1] - timedelta(seconds=1),
            count=len(CL_STARTS) - 1,
            **on_pod,
        ),
        lab.event(
            pod,
            "Created",
            "Created container app",
            CL_STARTS[0] - timedelta(seconds=1),
            last=CL_STARTS[-1] - timedelta(seconds=1),
            count=len(CL_STARTS),
            **on_pod,
        ),
        lab.event(
            pod,
            "Started",
            "Started container app",
            CL_STARTS[0],
            last=CL_STARTS[-1],
            count=len(CL_STARTS),
            **on_pod,
        ),
        lab.event(
            pod,
            "BackOff",
            f"Back-off restarting failed container app in pod {CL_POD}_{CL_NS}({pod['metadata']['uid']})",
            CL_STARTS[0] + timedelta(seconds=2),
            last=CL_CAPTURED - timedelta(seconds=7),
            count=27,
            warning=True,
            **on_pod,
        ),
    ]
    return sorted(out, key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))


def steady(
    signal: str, pod: str, window: tuple[datetime, datetime] = CL_WINDOW, seed: str = "crash-loop"
) -> list[tuple[datetime, float]]:
    """A healthy pod's samples over `window` (about 27Mi, 1m CPU, no restarts), noise seeded by `seed`."""
    rng = random.Random(f"{seed}/{pod}/{signal}")
    out = []
    for t in lab.grid(*window):
        if signal == "memory_working_set":
            out.append((t, float(lab.APPS_MEMORY + rng.randint(-96, 96) * 4096)))
        elif signal == "cpu_usage":
            out.append((t, round(0.001 + rng.uniform(-0.0003, 0.0003), 6)))
        else:
            out.append((t, 0.0))
    return out


def crashloop_restarts() -> list[tuple[datetime, float]]:
    """kube-state-metrics' restart counter of the drill: from the pod's start, one step per restart.

    The instances live under a second, so cAdvisor never scrapes them: no memory or CPU samples."""
    return [(t, float(sum(s <= t for s in CL_STARTS[1:]))) for t in lab.grid(*CL_WINDOW) if t >= CL_STARTS[0]]


def resource_metrics(
    pods: list[Obj],
    window: tuple[datetime, datetime],
    seed: str,
    drill: dict[str, Callable[[str], list[tuple[datetime, float]]]] | None = None,
) -> dict[str, Obj]:
    """Memory, CPU and restarts of the pods of apps and default: steady, except the `drill` pods'
    series (pod name -> signal -> samples; no samples, no series)."""
    drill = drill or {}
    return lab.resource_metrics(
        pods,
        window,
        lambda name, signal: drill[name](signal) if name in drill else steady(signal, name, window, seed),
    )


def crashloop_metrics(pods: list[Obj]) -> dict[str, Obj]:
    return resource_metrics(
        pods,
        CL_WINDOW,
        "crash-loop",
        {CL_POD: lambda signal: crashloop_restarts() if signal == "restarts" else []},
    )


def lab_cluster(ips: lab.IPs, drill: list[Obj]) -> list[Obj]:
    """The lab cluster of reconstruct.py with `drill` (objects) applied instead of the OOM drill:
    everything but Secrets, Services and Endpoints included."""
    objects = [*lab.kube_system(ips), *lab.monitoring(ips), *lab.apps(ips), *drill]
    pods = [o for o in objects if o["kind"] == "Pod"]
    nodes = [lab.node(n) for n in lab.NODES]
    lab.node_images(nodes, pods)
    objects += [*nodes, *lab.services(pods)]
    return [o for o in objects if o["kind"] != "Secret"]


def write_bundle(
    bundle: Path,
    captured: datetime,
    window: tuple[datetime, datetime],
    notes: str,
    objects: list[Obj],
    events: list[Obj],
    series: dict[str, Obj],
    logs: dict[str, str] | None = None,
) -> None:
    """Write a drill's bundle afresh: manifest, `k8s/cluster.json`, `k8s/events.json`, `logs/` (path
    under logs/ -> text) and `metrics/<signal>.<namespace>.json`."""
    if bundle.exists():
        shutil.rmtree(bundle)
    lab.write_json(
        bundle / "manifest.json",
        {
            "captured_at": timestamp(captured),
            "cluster": {
                "cni": "calico",
                "name": "kubeadm-lab",
                "nodes": len(lab.NODES),
                "version": lab.KUBE_VERSION,
            },
            "format": "incident-bundle/v1",
            "namespaces": ["apps", "default", "kube-system", "monitoring"],
            "notes": notes,
            "queries": {stem: body["query"] for stem, body in series.items()},
            "window": {"end": timestamp(window[1]), "start": timestamp(window[0])},
        },
    )
    lab.write_json(bundle / "k8s" / "cluster.json", lab.k8s_list(objects))
    lab.write_json(
        bundle / "k8s" / "events.json",
        k8s.k8s_list(events),
    )
    for path, text in (logs or {}).items():
        (bundle / "logs" / path).parent.mkdir(parents=True, exist_ok=True)
        (bundle / "logs" / path).write_text(text)
    for stem, body in series.items():
        lab.write_json(bundle / "metrics" / f"{stem}.json", body)


def crash_loop(bundle: Path) -> None:
    """Write `incidents/crash-loop/`."""
    ips = lab.IPs()
    drill = crashloop_drill(ips)
    objects = lab_cluster(ips, drill)
    pods = [o for o in objects if o["kind"] == "Pod" and o["metadata"]["namespace"] in ("apps", "default")]
    write_bundle(
        bundle,
        CL_CAPTURED,
        CL_WINDOW,
        "Reconstructed, not captured: rebuilt by incidents/reconstruct_drills.py. The crash-loop "
        "drill (failures/crashloop.yaml: busybox printing 'fatal: required setting DATABASE_URL is "
        "not set' and exiting 1) applied at 10:20:00 on the lab cluster of incidents/reconstruct.py; "
        "restart times follow the kubelet's crash-loop back-off (10s doubling). Objects, events, the "
        "previous log and metric series are synthesised in the API's shapes, deterministically.",
        objects,
        crashloop_events(*drill),
        crashloop_metrics(pods),
        # Waiting in CrashLoopBackOff: `kubectl logs` and `kubectl logs --previous` serve the last instance.
        {f"{CL_NS}/{CL_POD}/app.log": CL_FATAL, f"{CL_NS}/{CL_POD}/app.previous.log": CL_FATAL},
    )


# ---------------------------------------------------------------- bad-service

BS_NS = "default"  # failures/bad-service.yaml's namespace
BS_NAME = "bad-service"
BS_APPLIED = datetime(2025, 12, 17, 10, 40, 0, tzinfo=UTC)
BS_CAPTURED = datetime(2025, 12, 17, 10, 45, 0, tzinfo=UTC)
BS_WINDOW = (datetime(2025, 12, 17, 10, 30, 0, tzinfo=UTC), BS_CAPTURED)
BS_CLUSTER_IP = "10.104.87.213"


def bad_service() -> list[Obj]:
    """The drill's Service as the API returns it, and the Endpoints the endpoints controller writes for a
    selector that matches nothing: the object exists, with no subsets."""
    labels = {"incident-lab/drill": "bad-service"}
    annotations = {"incident-lab/expected-root-cause": "service_no_endpoints"}
    svc = lab.service(
        BS_NS,
        BS_NAME,
        BS_CLUSTER_IP,
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        {"app": "no-such-app"},
        BS_APPLIED,
        labels=labels,
        annotations=annotations,
    )
    svc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = lab.last_applied(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"annotations": annotations, "labels": labels, "name": BS_NAME, "namespace": BS_NS},
            "spec": {
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                "selector": {"app": "no-such-app"},
            },
        }
    )
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "creationTimestamp": timestamp(BS_APPLIED),
            "labels": labels,
            "name": BS_NAME,
            "namespace": BS_NS,
            "resourceVersion": lab.rv(BS_APPLIED, "Endpoints", BS_NS, BS_NAME),
            "uid": lab.uid("Endpoints", BS_NS, BS_NAME),
        },
    }
    return [svc, endpoints]


def bad_service_bundle(bundle: Path) -> None:
    """Write `incidents/bad-service/`: no events (an empty selection is not an event), steady pods."""
    objects = lab_cluster(lab.IPs(), bad_service())
    pods = [o for o in objects if o["kind"] == "Pod" and o["metadata"]["namespace"] in ("apps", "default")]
    write_bundle(
        bundle,
        BS_CAPTURED,
        BS_WINDOW,
        "Reconstructed, not captured: rebuilt by incidents/reconstruct_drills.py. The bad-service drill "
        "(failures/bad-service.yaml: Service bad-service in default selecting app=no-such-app) applied at "
        "10:40:00 on the lab cluster of incidents/reconstruct.py; the endpoints controller's Endpoints "
        "object has no subsets. Objects and metric series are synthesised in the API's shapes, "
        "deterministically.",
        objects,
        [],
        resource_metrics(pods, BS_WINDOW, "bad-service"),
    )


# ---------------------------------------------------------------- latency

LT_NS = "apps"
LT_APPLIED = datetime(2025, 12, 17, 10, 40, 0, tzinfo=UTC)
LT_CAPTURED = datetime(2025, 12, 17, 10, 55, 0, tzinfo=UTC)
LT_WINDOW = (datetime(2025, 12, 17, 10, 30, 0, tzinfo=UTC), LT_CAPTURED)
LT_DELAY = 1.5  # seconds, the drill's fixedDelay
LT_RATE_WINDOW = 300  # seconds: the [5m] of the catalogue's rate(), over which the delayed share grows
BUCKET = (1.0, 2.5)  # the histogram bucket the delayed requests land in (ms and s buckets alike)
CHECKOUT = 0.03  # share of backend-api's requests that call payments-service (its only caller)
PROXY = 0.002  # seconds the two sidecars add to what a caller measures (source-reported Istio latency)
# service -> (requests/s, p50, p95, p99 in seconds before the drill, share of its requests that wait the
# injected delay as its callers measure them (Istio, reporter="source"), share as it serves them (http_*))
TRAFFIC = {
    "backend-api": (6.0, 0.018, 0.062, 0.094, CHECKOUT, CHECKOUT),  # its handler waits on payments
    "orders-service": (2.4, 0.011, 0.031, 0.048, 0.0, 0.0),
    # every request is delayed in backend-api's sidecar, before it reaches payments-service
    "payments-service": (6.0 * CHECKOUT, 0.014, 0.036, 0.052, 1.0, 0.0),
    "users-service": (3.1, 0.006, 0.019, 0.027, 0.0, 0.0),
}


def delayed_share(t: datetime, share: float) -> float:
    """The share of the requests in the 5m rate window ending at `t` that waited the injected delay."""
    elapsed = (t - LT_APPLIED).total_seconds()
    return share * min(1.0, max(0.0, elapsed / LT_RATE_WINDOW))


def quantile(q: float, base: float, delayed: float) -> float:
    """histogram_quantile's answer when `delayed` of the requests are the slowest and sit in BUCKET:
    interpolated linearly in the bucket once the quantile reaches them, else the undisturbed value."""
    if delayed <= 1 - q:
        return base
    low, high = BUCKET
    return round(low + (high - low) * (q - (1 - delayed)) / delayed, 6)


def traffic_series(service: str, signal: str, profile: str) -> list[tuple[datetime, float]]:
    """One service's samples of `request_rate`, `error_ratio` or `latency_pNN` over the window, as
    `profile` measures them: `istio` where its callers do (their sidecars, the injected delay included),
    `http` where it serves them. Both count the same requests, so the noise is shared."""
    rate, p50, p95, p99, seen_by_callers, seen_by_server = TRAFFIC[service]
    share = seen_by_callers if profile == "istio" else seen_by_server
    overhead = PROXY if profile == "istio" else 0.0
    rng = random.Random(f"latency/{service}/{signal}")
    base = {"latency_p50": p50, "latency_p95": p95, "latency_p99": p99}
    out = []
    for t in lab.grid(*LT_WINDOW):
        if signal == "request_rate":
            out.append((t, round(rate * (1 + rng.uniform(-0.04, 0.04)), 6)))
        elif signal == "error_ratio":
            out.append((t, 0.0))
        else:
            noisy = round(base[signal] * (1 + rng.uniform(-0.06, 0.06)) + overhead, 6)
            q = int(signal.rsplit("p", 1)[1]) / 100
            out.append((t, quantile(q, noisy, delayed_share(t, share))))
    return out


def traffic_metrics() -> dict[str, Obj]:
    """Both traffic profiles of namespace apps, labelled as the catalogue's `sum by` leaves them (the
    source-reported Istio series keep only the destination Service's name and namespace)."""
    out = {}
    for profile, labels in (
        ("http", lambda svc: {"namespace": LT_NS, "service": svc}),
        ("istio", lambda svc: {"destination_service_name": svc, "destination_service_namespace": LT_NS}),
    ):
        for signal in ("request_rate", "error_ratio", "latency_p50", "latency_p95", "latency_p99"):
            result = [
                matrix_series(labels(svc), traffic_series(svc, signal, profile)) for svc in sorted(TRAFFIC)
            ]
            name = f"{profile}_{signal}"
            out[f"{name}.{LT_NS}"] = lab.response(name, LT_NS, result, LT_WINDOW)
    return out


def latency_virtual_service() -> Obj:
    """failures/latency.yaml's VirtualService as the API returns it (networking.istio.io/v1)."""
    spec = {
        "hosts": ["payments-service.apps.svc.cluster.local"],
        "http": [
            {
                "fault": {"delay": {"fixedDelay": "1500ms", "percentage": {"value": 100}}},
                "name": "injected-delay",
                "route": [
                    {
                        "destination": {"host": "payments-service.apps.svc.cluster.local", "subset": "v1"},
                        "weight": 100,
                    }
                ],
                "timeout": "5s",
            }
        ],
    }
    labels = {"incident-lab/drill": "latency"}
    annotations = {"incident-lab/expected-root-cause": "high_latency"}
    meta = {"annotations": annotations, "labels": labels, "name": "payments-service", "namespace": LT_NS}
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            **meta,
            "annotations": {
                **annotations,
                "kubectl.kubernetes.io/last-applied-configuration": lab.last_applied(
                    {
                        "apiVersion": "networking.istio.io/v1",
                        "kind": "VirtualService",
                        "metadata": meta,
                        "spec": spec,
                    }
                ),
            },
            "creationTimestamp": timestamp(LT_APPLIED),
            "generation": 1,
            "resourceVersion": lab.rv(LT_APPLIED, "VirtualService", LT_NS, "payments-service"),
            "uid": lab.uid("VirtualService", LT_NS, "payments-service"),
        },
        "spec": spec,
    }


def latency_bundle(bundle: Path) -> None:
    """Write `incidents/latency/`: the drill's VirtualService, steady pods, both traffic profiles."""
    objects = lab_cluster(lab.IPs(), [latency_virtual_service()])
    pods = [o for o in objects if o["kind"] == "Pod" and o["metadata"]["namespace"] in ("apps", "default")]
    write_bundle(
        bundle,
        LT_CAPTURED,
        LT_WINDOW,
        "Reconstructed, not captured: rebuilt by incidents/reconstruct_drills.py. The latency drill "
        "(failures/latency.yaml: the payments-service VirtualService delaying every request by 1.5 s) "
        "applied at 10:40:00 on the lab cluster of incidents/reconstruct.py. Istio injects the delay in "
        "the caller's sidecar, so the series show it where callers measure it: the source-reported Istio "
        "latency (istio_*, reporter=source) of payments-service is over the 1 s SLO from the first scrape "
        "after 10:40, while payments-service's own http_* latency stays normal; backend-api, its only "
        "caller (about 3% of backend-api's requests call payments), waits on it, so its own http_* "
        "latency and the source-reported Istio latency of the requests the ingress gateway sends it are "
        "over the SLO from about 10:41:45. The pods are reconstructed without their istio-proxy "
        "containers. Objects and series are synthesised in the API's shapes, deterministically.",
        objects,
        [],
        {**resource_metrics(pods, LT_WINDOW, "latency"), **traffic_metrics()},
    )


def main() -> None:
    crash_loop(ROOT / "crash-loop")
    bad_service_bundle(ROOT / "bad-service")
    latency_bundle(ROOT / "latency")


if __name__ == "__main__":
    main()
