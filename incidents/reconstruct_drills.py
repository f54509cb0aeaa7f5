"""Reconstruct the shipped bundles of the other failure drills, on the lab cluster of ``reconstruct.py``.

``crash-loop/``: ``failures/crashloop.yaml`` applied at 10:20:00 on the same lab (the OOM drill removed):
Deployment ``crashloop-test`` in ``default`` runs busybox that prints
``fatal: required setting DATABASE_URL is not set`` to stderr and exits 1 on start. The kubelet
restarts it with the crash-loop back-off (10s, 20s, 40s, 80s, 160s), so at the capture (10:29:00) it
has restarted 5 times and waits in CrashLoopBackOff; ``kubectl logs --previous`` holds the fatal line.

Reconstructed, not captured: the cluster around the drill is ``reconstruct.py``'s (its functions build
it), and the drill's objects, events, log and restart series are written here in the shapes the
Kubernetes API, ``kubectl`` and the Prometheus HTTP API produce, deterministically.

Rerun from the repository root with the project installed:

    python incidents/reconstruct_drills.py
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import reconstruct as lab
from reconstruct import Obj

from incident_lib.metrics.catalogue import promql

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
    pod_uid = lab.uid("Pod", CL_NS, CL_POD)
    last_start = CL_STARTS[-1]
    last_id = f"containerd://{lab.digest('container', CL_POD, 'app', str(len(CL_STARTS) - 1))}"
    status = {
        "containerID": last_id,
        "image": lab.full_image(CL_IMAGE),
        "imageID": lab.image_id(CL_IMAGE),
        "lastState": {
            "terminated": {
                "containerID": last_id,
                "exitCode": 1,
                "finishedAt": lab.ts(last_start),
                "reason": "Error",
                "startedAt": lab.ts(last_start),
            }
        },
        "name": "app",
        "ready": False,
        "restartCount": len(CL_STARTS) - 1,
        "started": False,
        "state": {
            "waiting": {
                "message": f"back-off 5m0s restarting failed container=app pod={CL_POD}_{CL_NS}({pod_uid})",
                "reason": "CrashLoopBackOff",
            }
        },
    }
    not_ready = {
        "lastProbeTime": None,
        "lastTransitionTime": lab.ts(CL_STARTS[0]),
        "message": "containers with unready status: [app]",
        "reason": "ContainersNotReady",
        "status": "False",
    }
    conditions = [
        {
            "lastProbeTime": None,
            "lastTransitionTime": lab.ts(CL_CREATED),
            "status": "True",
            "type": "Initialized",
        },
        {**not_ready, "type": "Ready"},
        {**not_ready, "type": "ContainersReady"},
        {
            "lastProbeTime": None,
            "lastTransitionTime": lab.ts(CL_CREATED),
            "status": "True",
            "type": "PodScheduled",
        },
    ]
    pod = lab.replica_pod(
        ips,
        rs,
        CL_NODE,
        CL_CREATED,
        name=CL_POD,
        started=CL_STARTS[0],
        statuses=[status],
        conditions=conditions,
        changed=last_start + timedelta(seconds=1),
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
            kind="Warning",
            **on_pod,
        ),
    ]
    return sorted(out, key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))


def grid(start: datetime, end: datetime) -> list[datetime]:
    n = int((end - start).total_seconds()) // lab.STEP
    return [start + timedelta(seconds=lab.STEP * i) for i in range(n + 1)]


def steady(signal: str, pod: str) -> list[tuple[datetime, float]]:
    """A healthy apps pod's samples over the crash-loop window (about 27Mi, 1m CPU, no restarts)."""
    rng = random.Random(f"crash-loop/{pod}/{signal}")
    out = []
    for t in grid(*CL_WINDOW):
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
    return [(t, float(sum(s <= t for s in CL_STARTS[1:]))) for t in grid(*CL_WINDOW) if t >= CL_STARTS[0]]


def crashloop_metrics(pods: list[Obj]) -> dict[str, Obj]:
    out = {}
    for signal in ("memory_working_set", "cpu_usage", "restarts"):
        for ns in ("apps", "default"):
            result = []
            for pod in sorted(
                (p for p in pods if p["metadata"]["namespace"] == ns), key=lambda p: p["metadata"]["name"]
            ):
                name = pod["metadata"]["name"]
                if name == CL_POD:
                    series = crashloop_restarts() if signal == "restarts" else []
                else:
                    series = steady(signal, name)
                if series:
                    result.append(
                        {
                            "metric": {
                                "container": pod["spec"]["containers"][0]["name"],
                                "namespace": ns,
                                "pod": name,
                            },
                            "values": [[t.timestamp(), lab.fmt(v)] for t, v in series],
                        }
                    )
            out[f"{signal}.{ns}"] = {
                "data": {"result": result, "resultType": "matrix"},
                "end": lab.ts(CL_WINDOW[1]),
                "query": promql(signal, ns),
                "start": lab.ts(CL_WINDOW[0]),
                "status": "success",
                "step": f"{lab.STEP}s",
            }
    return out


def crash_loop(bundle: Path) -> None:
    """Write `incidents/crash-loop/`."""
    ips = lab.IPs()
    drill = crashloop_drill(ips)
    objects = [*lab.kube_system(ips), *lab.monitoring(ips), *lab.apps(ips), *drill]
    pods = [o for o in objects if o["kind"] == "Pod"]
    nodes = [lab.node(n) for n in lab.NODES]
    lab.node_images(nodes, pods)
    objects += [*nodes, *lab.services(pods)]
    kept = [o for o in objects if o["kind"] != "Secret"]
    if bundle.exists():
        shutil.rmtree(bundle)
    series = crashloop_metrics([p for p in pods if p["metadata"]["namespace"] in ("apps", "default")])
    lab.write_json(
        bundle / "manifest.json",
        {
            "captured_at": lab.ts(CL_CAPTURED),
            "cluster": {
                "cni": "calico",
                "name": "kubeadm-lab",
                "nodes": len(lab.NODES),
                "version": lab.KUBE_VERSION,
            },
            "format": "incident-bundle/v1",
            "namespaces": ["apps", "default", "kube-system", "monitoring"],
            "notes": (
                "Reconstructed, not captured: rebuilt by incidents/reconstruct_drills.py. The crash-loop "
                "drill (failures/crashloop.yaml: busybox printing 'fatal: required setting DATABASE_URL is "
                "not set' and exiting 1) applied at 10:20:00 on the lab cluster of incidents/reconstruct.py; "
                "restart times follow the kubelet's crash-loop back-off (10s doubling). Objects, events, the "
                "previous log and metric series are synthesised in the API's shapes, deterministically."
            ),
            "queries": {stem: body["query"] for stem, body in series.items()},
            "window": {"end": lab.ts(CL_WINDOW[1]), "start": lab.ts(CL_WINDOW[0])},
        },
    )
    lab.write_json(bundle / "k8s" / "cluster.json", lab.k8s_list(kept))
    lab.write_json(
        bundle / "k8s" / "events.json",
        {
            "apiVersion": "v1",
            "items": crashloop_events(*drill),
            "kind": "List",
            "metadata": {"resourceVersion": ""},
        },
    )
    logs = bundle / "logs" / CL_NS / CL_POD
    logs.mkdir(parents=True)
    # Waiting in CrashLoopBackOff: `kubectl logs` and `kubectl logs --previous` serve the last instance.
    (logs / "app.log").write_text(CL_FATAL)
    (logs / "app.previous.log").write_text(CL_FATAL)
    for stem, body in series.items():
        lab.write_json(bundle / "metrics" / f"{stem}.json", body)


def main() -> None:
    crash_loop(ROOT / "crash-loop")


if __name__ == "__main__":
    main()
