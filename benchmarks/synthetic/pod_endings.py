"""Pod states of pods that ended or are ending: a Job's pod that completed or failed, a pod the kubelet
evicted from a node under pressure, a pod deleted but stuck on a finalizer. Each turns a base pod into
its state and returns the events the state produced."""

from __future__ import annotations

from datetime import datetime, timedelta

from synthetic.containers import terminated_status
from synthetic.draws import CAPTURED_AT, Draws
from synthetic.events import EVENT_TTL, container_path, pod_event
from synthetic.nodes import Nodes
from synthetic.pods import GeneratedPod
from tools.k8s_objects import Obj, pod_condition, timestamp

FINALIZERS = ("acme.io/drain-connections", "foregroundDeletion")


def completed(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """A Job's pod whose containers all exited 0."""
    finish_job_pod(draws, pod, "Succeeded", "Completed", 0)
    return []


def job_failed(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """A Job's pod whose app exited with an error (restartPolicy Never: it stays Failed)."""
    finish_job_pod(draws, pod, "Failed", "Error", draws.choice((1, 1, 2, 3)))
    return []


def finish_job_pod(draws: Draws, pod: GeneratedPod, phase: str, reason: str, code: int) -> None:
    """End a Job's pod in `phase`: the app terminated for `reason` with `code`, a sidecar Completed."""
    status = pod.raw["status"]
    started = pod.created + timedelta(seconds=3)
    finished = started + timedelta(seconds=draws.randint(5, 900))
    status["phase"] = phase
    cause = "PodCompleted" if phase == "Succeeded" else "PodFailed"
    for condition in status["conditions"]:
        kind = condition["type"]
        if kind in ("Ready", "ContainersReady", "PodReadyToStartContainers"):
            why = cause if kind != "PodReadyToStartContainers" else None
            condition.update(pod_condition(kind, "False", finished, why))
    status["containerStatuses"] = []
    for c in pod.raw["spec"]["containers"]:
        sidecar = c["name"] == "istio-proxy"  # exits cleanly when the app is done
        ended = ("Completed", 0) if sidecar else (reason, code)
        status["containerStatuses"].append(terminated_status(draws, c, *ended, started, finished))


def evicted(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """Evicted by the kubelet of a node low on memory or disk (one that still reports the pressure, if
    any): Failed, its containers lost; events only if that was within the event TTL."""
    spec = pod.raw["spec"]["containers"][0]
    raw = pod.raw
    when = draws.ago(timedelta(minutes=2), timedelta(hours=30))
    resource = draws.choice(("memory", "memory", "ephemeral-storage"))
    message = eviction_message(draws, spec, resource)
    pressured = nodes.in_state("memory_pressure" if resource == "memory" else "disk_pressure")
    if pressured:
        node = draws.choice(pressured)
        raw["spec"]["nodeName"] = node
        raw["status"]["hostIP"] = nodes.ips[node]
        raw["status"]["hostIPs"] = [{"ip": nodes.ips[node]}]
    status = raw["status"]
    status.update(phase="Failed", reason="Evicted", message=message)
    status["conditions"] = evicted_conditions(pod.created, when, message.strip())
    for c in status["containerStatuses"]:
        c.update(ready=False, started=False)
        c["state"] = lost_state()
    if CAPTURED_AT - when >= EVENT_TTL:
        return []
    return [
        pod_event(draws, pod, "Evicted", message, warning=True, first=when, last=when),
        pod_event(
            draws,
            pod,
            "Killing",
            f"Stopping container {spec['name']}",
            field_path=container_path(spec["name"]),
            first=when,
            last=when,
        ),
    ]


def lost_state() -> Obj:
    """The state of a container evicted with its pod: the runtime could not find it any more."""
    return {
        "terminated": {
            "exitCode": 137,
            "finishedAt": None,
            "message": "The container could not be located when the pod was terminated",
            "reason": "ContainerStatusUnknown",
            "startedAt": None,
        }
    }


def eviction_message(draws: Draws, spec: Obj, resource: str) -> str:
    """What the kubelet says when it evicts the pod of container `spec` to reclaim `resource`."""
    if resource == "memory":
        return (
            f"The node was low on resource: memory. Threshold quantity: 100Mi, available: "
            f"{draws.randint(20_000, 99_000)}Ki. Container {spec['name']} was using "
            f"{draws.randint(600_000, 3_000_000)}Ki, "
            f"request is {spec['resources']['requests']['memory']}, has larger consumption of memory. "
        )
    return (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, "
        f"available: 8123456Ki. Container {spec['name']} was using 14Gi, request is 0, "
        "has larger consumption of ephemeral-storage. "
    )


def evicted_conditions(created: datetime, when: datetime, message: str) -> list[Obj]:
    """The conditions of a pod created at `created` and evicted at `when` with `message`."""
    return [
        pod_condition("DisruptionTarget", "True", when, "TerminationByKubelet", message),
        pod_condition("PodReadyToStartContainers", "False", when),
        pod_condition("Initialized", "True", created),
        pod_condition("Ready", "False", when, "PodFailed"),
        pod_condition("ContainersReady", "False", when, "PodFailed"),
        pod_condition("PodScheduled", "True", created),
    ]


def terminating_stuck(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """Deleted (recently, 70%, or days ago) but still there: a finalizer (40%) or a node that never
    confirmed."""
    spec = pod.raw["spec"]["containers"][0]
    meta = pod.raw["metadata"]
    recent = draws.chance(0.7)
    deleted = (
        draws.ago(timedelta(minutes=10), timedelta(minutes=55))
        if recent
        else draws.ago(timedelta(hours=2), timedelta(days=3))
    )
    meta["deletionGracePeriodSeconds"] = 30
    meta["deletionTimestamp"] = timestamp(deleted + timedelta(seconds=30))
    if draws.chance(0.4):
        meta["finalizers"] = [draws.choice(FINALIZERS)]
    if not recent:
        return []
    path = container_path(spec["name"])
    return [
        pod_event(
            draws,
            pod,
            "Killing",
            f"Stopping container {spec['name']}",
            field_path=path,
            first=deleted,
            last=deleted,
        )
    ]
