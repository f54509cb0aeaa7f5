"""The events of a synthetic cluster, as `kubectl get events -A -o json` prints them: those each pod's
state produced, what the kubelet and node controller said of nodes under pressure or NotReady, the
start-up sequence of recent pods, and single failed readiness checks of healthy pods as filler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from itertools import chain, islice

from synthetic.draws import CAPTURED_AT, Draws
from synthetic.nodes import Nodes
from synthetic.pods import GeneratedPod
from synthetic.states import LIFECYCLE_STATES
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj

EVENT_TTL = timedelta(hours=1)  # the API server's: older events are gone
SCHEDULER = "default-scheduler-gke-prod-eu1-control-plane"
# What the kubelet says when a node comes under pressure, and the resource it then reclaims.
PRESSURE_SAID = {
    "memory_pressure": ("NodeHasInsufficientMemory", "memory"),
    "disk_pressure": ("NodeHasDiskPressure", "ephemeral-storage"),
}


def already_present(image: str) -> str:
    """What the kubelet says when it finds a container's image on the node."""
    return f'Container image "{image}" already present on machine'


def back_off_restarting(container: str, pod: GeneratedPod) -> str:
    """What the kubelet says when it waits before restarting a failed container of `pod`."""
    name, ns, uid = pod.ident
    return f"Back-off restarting failed container {container} in pod {name}_{ns}({uid})"


def container_path(name: str, key: str = "containers") -> str:
    """The field path of a container, as an event about it names it (`spec.containers{app}`)."""
    return f"spec.{key}{{{name}}}"


def pod_event(
    draws: Draws,
    pod: GeneratedPod,
    reason: str,
    message: str,
    *,
    field_path: str | None = None,
    warning: bool = False,
    count: int = 1,
    first: datetime | None = None,
    last: datetime | None = None,
) -> Obj:
    """A kubelet event about `pod` (core/v1), seen `count` times up to `last` (some time in the last
    50 minutes unless given); a repeated one first seen at `first`, as far back as the event TTL."""
    name, ns, uid = pod.ident
    last = last or CAPTURED_AT - timedelta(seconds=draws.randint(1, 3000))
    first = max(first or last, CAPTURED_AT - EVENT_TTL) if count > 1 else last
    first = min(first, last)
    version = pod.raw["metadata"]["resourceVersion"]
    return k8s.event(
        k8s.object_reference("Pod", name, ns, uid, version, field_path=field_path),
        reason,
        message,
        name=event_name(draws, name, first),
        namespace=ns,
        first=first,
        last=last,
        resource_version=draws.resource_version(),
        uid=draws.uid(),
        count=count,
        warning=warning,
        host=pod.raw["spec"].get("nodeName", ""),
    )


def scheduler_event(
    draws: Draws, pod: GeneratedPod, reason: str, message: str, first: datetime, count: int = 1
) -> Obj:
    """An event of the scheduler about `pod` (events.k8s.io/v1 written, read back as core/v1: eventTime,
    and a series when it repeated)."""
    name, ns, uid = pod.ident
    first = max(first, CAPTURED_AT - EVENT_TTL)
    event = k8s.scheduler_event(
        k8s.object_reference("Pod", name, ns, uid, pod.raw["metadata"]["resourceVersion"]),
        reason,
        message,
        event_time=k8s.micro_timestamp(first, draws.randint(0, 999_999)),
        name=event_name(draws, name, first),
        namespace=ns,
        at=first,
        resource_version=draws.resource_version(),
        uid=draws.uid(),
        instance=SCHEDULER,
    )
    if count > 1:
        last = CAPTURED_AT - timedelta(seconds=draws.randint(5, 300))
        event["series"] = {
            "count": count,
            "lastObservedTime": k8s.micro_timestamp(last, draws.randint(0, 999_999)),
        }
    return event


def node_event(
    draws: Draws, node: str, reason: str, message: str, at: datetime, component: str = "kernel-monitor"
) -> Obj:
    """An event about a node (a warning of the kernel monitor by default), stored in `default` as the
    API does; the node controller reports from no host."""
    return k8s.event(
        k8s.node_reference(node),
        reason,
        message,
        name=event_name(draws, node, at),
        namespace="default",
        first=at,
        last=at,
        resource_version=draws.resource_version(),
        uid=draws.uid(),
        warning=not reason.startswith("Node"),
        component=component,
        host=node if component != "node-controller" else None,
    )


def event_name(draws: Draws, subject: str, first: datetime) -> str:
    """The recorder's name for an event about `subject` first seen at `first`."""
    return k8s.event_name(subject, int(first.timestamp() * 1e9) + draws.randint(0, 10**9))


def events(draws: Draws, nodes: Nodes, pods: list[GeneratedPod], count: int) -> list[Obj]:
    """Exactly `count` events in the API's list order: every state's own events first, then the
    start-up sequences of recent pods (in random order), then readiness filler."""
    stories = chain(node_state_events(draws, nodes), (e for p in pods for e in p.events))
    recent = [p for p in pods if p.recent and p.raw["spec"].get("nodeName")]
    order = list(range(len(recent)))
    draws.shuffle(order)
    lifecycle = (e for i in order for e in lifecycle_events(draws, recent[i]))
    listed = list(islice(chain(stories, lifecycle, readiness_blips(draws, pods)), count))
    listed.sort(key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))
    return listed


def node_state_events(draws: Draws, nodes: Nodes) -> list[Obj]:
    """What the kubelet and the node controller said when a node came under pressure or went NotReady."""
    said = []
    for node, state in nodes.states.items():
        since = nodes.since.get(node)
        if since is None:
            continue
        if state == "not_ready":
            message = f"Node {node} status is now: NodeNotReady"
            said.append(node_event(draws, node, "NodeNotReady", message, since, "node-controller"))
        else:
            said += pressure_events(draws, node, state, since)
    return said


def pressure_events(draws: Draws, node: str, state: str, since: datetime) -> list[Obj]:
    """The kubelet's events of a node under pressure since `since`: the new status, then an attempt to
    reclaim the resource every ten minutes."""
    status, resource = PRESSURE_SAID[state]
    said = [node_event(draws, node, status, f"Node {node} status is now: {status}", since, "kubelet")]
    for minutes in range(0, 50, 10):
        at = since + timedelta(minutes=minutes, seconds=draws.randint(0, 59))
        if at < CAPTURED_AT:
            message = f"Attempting to reclaim {resource}"
            said.append(node_event(draws, node, "EvictionThresholdMet", message, at, "kubelet"))
    return said


def lifecycle_events(draws: Draws, pod: GeneratedPod) -> list[Obj]:
    """Scheduled, then for pods whose containers did start: Pulling/Pulled, Created and Started of each.

    The states that never start their app container (or restart it) carry their own events instead.
    """
    raw = pod.raw
    node = raw["spec"]["nodeName"]
    name, ns, _ = pod.ident
    said = [
        scheduler_event(draws, pod, "Scheduled", f"Successfully assigned {ns}/{name} to {node}", pod.created)
    ]
    if pod.state not in LIFECYCLE_STATES:
        return said
    at = pod.created + timedelta(seconds=1)
    for key in ("initContainers", "containers"):
        for c in raw["spec"].get(key, []):
            say = partial(pod_event, draws, pod, field_path=container_path(c["name"], key))
            pulled, at = image_events(say, draws, c["image"], at)
            said += pulled
            said.append(say("Created", f"Created container {c['name']}", first=at, last=at))
            said.append(say("Started", f"Started container {c['name']}", first=at, last=at))
    return said


def image_events(
    say: Callable[..., Obj], draws: Draws, image: str, at: datetime
) -> tuple[list[Obj], datetime]:
    """What the kubelet `say`s of getting `image` for a container at `at` (half the time it is already on
    the node), and when the image was there."""
    if draws.chance(0.5):
        return [say("Pulled", already_present(image), first=at, last=at)], at
    pulling = say("Pulling", f'Pulling image "{image}"', first=at, last=at)
    at += timedelta(seconds=draws.randint(1, 9))
    message = (
        f'Successfully pulled image "{image}" in {draws.uniform(0.5, 9):.3f}s '
        f"({draws.uniform(0.5, 9):.3f}s including waiting). "
        f"Image size: {draws.randint(20_000_000, 400_000_000)} bytes."
    )
    return [pulling, say("Pulled", message, first=at, last=at)], at


def readiness_blips(draws: Draws, pods: list[GeneratedPod]) -> Iterator[Obj]:
    """Endless filler: single failed readiness checks of healthy pods (they recover: still healthy)."""
    healthy = [p for p in pods if p.state == "healthy"]
    while True:
        pod = draws.choice(healthy)
        path = container_path(pod.raw["spec"]["containers"][0]["name"])
        message = "Readiness probe failed: HTTP probe failed with statuscode: 503"
        yield pod_event(draws, pod, "Unhealthy", message, field_path=path, warning=True)
