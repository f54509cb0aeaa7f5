"""What the controllers of a synthetic cluster see of its pods and write on their objects: the pods that
count and those ready, when readiness last changed, when a controller was made, and the labels,
annotations and selector of the Helm release each workload comes from."""

from __future__ import annotations

from datetime import datetime, timedelta

from synthetic.draws import CAPTURED_AT, Draws
from synthetic.pods import GeneratedPod
from synthetic.workloads import Workload
from tools.k8s_objects import Obj, parse_timestamp


def active(pods: list[GeneratedPod]) -> list[GeneratedPod]:
    """The pods a controller counts: not evicted (or otherwise finished), not being deleted."""
    return [
        p
        for p in pods
        if p.raw["status"].get("phase") not in ("Failed", "Succeeded")
        and "deletionTimestamp" not in p.raw["metadata"]
    ]


def ready(pods: list[GeneratedPod]) -> list[GeneratedPod]:
    """The pods whose Ready condition is True."""
    return [
        p
        for p in pods
        if any(c["type"] == "Ready" and c["status"] == "True" for c in p.raw["status"]["conditions"])
    ]


def ready_changed(pods: list[GeneratedPod], default: datetime) -> datetime:
    """When the pods' readiness last changed (their latest Ready transition), or `default`."""
    times = [
        parse_timestamp(c["lastTransitionTime"])
        for p in pods
        for c in p.raw["status"].get("conditions", [])
        if c["type"] == "Ready"
    ]
    return max(times, default=default)


def made_before(draws: Draws, pods: list[GeneratedPod]) -> datetime:
    """A creation time before the oldest of `pods`: when their controller was made."""
    oldest = min((p.created for p in pods), default=CAPTURED_AT)
    return oldest - timedelta(days=draws.randint(1, 200), seconds=draws.randint(0, 86_399))


def helm_labels(w: Workload) -> Obj:
    """The labels of the objects of `w`'s Helm release."""
    part_of = w.namespace.split("-")[0]
    return {
        "app.kubernetes.io/instance": w.name,
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/name": w.app,
        "app.kubernetes.io/part-of": part_of,
        "helm.sh/chart": f"{part_of}-service-{w.version}",
    }


def helm_annotations(w: Workload) -> Obj:
    """The annotations by which Helm knows the objects of `w`'s release."""
    return {"meta.helm.sh/release-name": w.name, "meta.helm.sh/release-namespace": w.namespace}


def selector(w: Workload) -> Obj:
    """The labels that select the pods of `w` (every revision's)."""
    return {"app.kubernetes.io/instance": w.name, "app.kubernetes.io/name": w.app}
