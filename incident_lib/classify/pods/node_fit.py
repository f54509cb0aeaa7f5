"""Why no node of the snapshot can take a pod, computed as the scheduler's filters decide: the taints it
does not tolerate, the nodeSelector or required node affinity no node matches, and, on the nodes left,
each resource it requests more of than any has free (allocatable minus the requests of the pods already
on it). The scheduler's message says the same in counts; this names the taint, the nodes and how short.

Only the pods the snapshot holds are counted on a node: a capture of some namespaces misses the others'
requests, so a node's free amount is an upper bound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from incident_lib.cluster import ClusterView
from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.pod import Pod
from incident_lib.k8s.quantity import format_bytes, parse_quantity

RESOURCES = ("cpu", "memory", "ephemeral-storage")
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")  # PreferNoSchedule only steers
CORDON = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


@dataclass(frozen=True)
class Shortage:
    """A resource the pod requests more of than any node left has free; `node` has the most free."""

    resource: str
    requested: float
    node: ObjectView
    allocatable: float
    used: float
    pods: int

    @property
    def free(self) -> float:
        return self.allocatable - self.used

    def describe(self) -> str:
        """`2.0Gi requested, at most 1.2Gi free (on kubeworker1), 0.8Gi short`."""
        return (
            f"{amount(self.resource, self.requested)} requested, at most "
            f"{amount(self.resource, max(self.free, 0))} free (on {self.node.name}), "
            f"{amount(self.resource, self.requested - max(self.free, 0))} short"
        )


@dataclass(frozen=True)
class Fit:
    """What keeps a pod off the snapshot's nodes: `taints` maps each untolerated taint (`key=value:effect`)
    to the nodes carrying it; `unmatched` describes the node constraint no node matches (else "");
    `shortages` are computed on the nodes that pass both."""

    nodes: tuple[ObjectView, ...]
    taints: dict[str, list[ObjectView]]
    unmatched: str
    shortages: tuple[Shortage, ...]


def node_fit(view: ClusterView, pod: Pod) -> Fit | None:
    """Why `pod` fits no node of the snapshot; None when the snapshot holds no Node."""
    nodes = view.of_kind("Node")
    if not nodes:
        return None
    taints, candidates, unmatched = _placement(view, pod)
    return Fit(nodes, taints, unmatched, _shortages(view, pod, candidates))


Placement = tuple[dict[str, list[ObjectView]], tuple[ObjectView, ...], str]
# Per snapshot view, by the pod's tolerations and node constraints: the pending pods of one workload share
# them, and a sweep asks for each.
_PLACEMENTS: WeakKeyDictionary[ClusterView, dict[str, Placement]] = WeakKeyDictionary()


def _placement(view: ClusterView, pod: Pod) -> Placement:
    """The taints `pod` does not tolerate with their nodes, the nodes it may go to (sorted by name), and
    its node constraint when no node matches it (else "")."""
    spec = pod.spec
    key = json.dumps([spec.get(k) for k in ("tolerations", "nodeSelector", "affinity")], sort_keys=True)
    known = _PLACEMENTS.setdefault(view, {})
    if key not in known:
        taints: dict[str, list[ObjectView]] = {}
        candidates = []
        matched = False
        for node in view.of_kind("Node"):
            blocking = [t for t in _taints(node) if not _tolerated(pod, t)]
            for taint in blocking:
                taints.setdefault(_taint_text(taint), []).append(node)
            selected = _selected(pod, node)
            matched = matched or selected
            if selected and not blocking:
                candidates.append(node)
        ordered = tuple(sorted(candidates, key=lambda n: n.name))
        known[key] = (taints, ordered, "" if matched else _constraint(pod))
    return known[key]


def requests(pod: Pod) -> dict[str, float]:
    """What the scheduler reserves for the pod, by resource (those it requests)."""
    found = {resource: _pod_request(pod, resource) for resource in RESOURCES}
    return {resource: value for resource, value in found.items() if value > 0}


def _pod_request(pod: Pod, resource: str) -> float:
    """The pod's containers' requests summed, or the largest init container's when larger (init
    containers run one at a time, before the others)."""
    app = sum(_request(c.spec, resource) for c in pod.containers if not c.init)
    init = max((_request(c.spec, resource) for c in pod.containers if c.init), default=0.0)
    return max(app, init)


def amount(resource: str, value: float) -> str:
    """A resource amount as people write it: `500m` or `2` cores, `1.5Gi` of memory."""
    if resource != "cpu":
        return format_bytes(value)
    return f"{value * 1000:.0f}m" if value < 1 else f"{value:g}"


def _request(spec: dict, resource: str) -> float:
    return parse_quantity(((spec.get("resources") or {}).get("requests") or {}).get(resource)) or 0.0


def _shortages(view: ClusterView, pod: Pod, candidates: tuple[ObjectView, ...]) -> tuple[Shortage, ...]:
    found = []
    for resource, wanted in requests(pod).items():
        rooms = _rooms(view, resource)
        placeable = [n for n in candidates if n.name in rooms]
        # the most free; the first by name among equals
        best = max(placeable, key=lambda n: rooms[n.name][0] - rooms[n.name][1], default=None)
        if best is not None and rooms[best.name][0] - rooms[best.name][1] < wanted:
            found.append(Shortage(resource, wanted, best, *rooms[best.name]))
    return tuple(found)


# Per snapshot view and resource, computed once: every pending pod of a sweep asks about the same nodes.
_ROOMS: WeakKeyDictionary[ClusterView, dict[str, dict[str, tuple[float, float, int]]]] = WeakKeyDictionary()


def _rooms(view: ClusterView, resource: str) -> dict[str, tuple[float, float, int]]:
    """Per node: its allocatable amount of `resource`, what the pods placed on it (not finished) request,
    and how many they are. A node that does not say what it can allocate is left out."""
    per_resource = _ROOMS.setdefault(view, {})
    if resource not in per_resource:
        rooms = {}
        for node in view.of_kind("Node"):
            allocatable = parse_quantity((node.status.get("allocatable") or {}).get(resource))
            if allocatable is None:
                continue
            pods = view.pods_by_node.get(node.name, [])
            placed = [p for p in pods if p.phase not in ("Succeeded", "Failed")]
            rooms[node.name] = (allocatable, sum(_pod_request(p, resource) for p in placed), len(placed))
        per_resource[resource] = rooms
    return per_resource[resource]


def _taints(node: ObjectView) -> list[dict]:
    taints = [t for t in node.spec.get("taints") or [] if t.get("effect") in BLOCKING_EFFECTS]
    cordoned = node.spec.get("unschedulable") and not any(t.get("key") == CORDON["key"] for t in taints)
    return [*taints, CORDON] if cordoned else taints


def _tolerated(pod: Pod, taint: dict) -> bool:
    return any(_tolerates(t, taint) for t in pod.spec.get("tolerations") or [])


def _tolerates(toleration: dict, taint: dict) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("operator") == "Exists":
        return not toleration.get("key") or toleration["key"] == taint.get("key")
    return toleration.get("key") == taint.get("key") and (toleration.get("value") or "") == (
        taint.get("value") or ""
    )


def _taint_text(taint: dict) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def _selected(pod: Pod, node: ObjectView) -> bool:
    """True when the node satisfies the pod's nodeSelector and required node affinity."""
    if any(node.labels.get(k) != v for k, v in (pod.spec.get("nodeSelector") or {}).items()):
        return False
    terms = _required_terms(pod)
    return not terms or any(_term_matches(term, node) for term in terms)


def _required_terms(pod: Pod) -> list[dict]:
    affinity = (pod.spec.get("affinity") or {}).get("nodeAffinity") or {}
    return (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
        "nodeSelectorTerms"
    ) or []


def _term_matches(term: dict, node: ObjectView) -> bool:
    """A node selector term: every expression on the node's labels and fields holds (an empty term
    matches nothing, as in the API)."""
    on_labels = term.get("matchExpressions") or []
    on_fields = term.get("matchFields") or []
    if not on_labels and not on_fields:
        return False
    fields = {"metadata.name": node.name}
    return all(_requirement(e, node.labels) for e in on_labels) and all(
        _requirement(e, fields) for e in on_fields
    )


def _requirement(expression: dict, values_of: dict[str, str]) -> bool:
    key, operator = expression.get("key", ""), expression.get("operator")
    values = expression.get("values") or []
    value = values_of.get(key)
    if operator in ("Gt", "Lt"):
        try:
            number, bound = int(value or ""), int(values[0])
        except (ValueError, IndexError):
            return False
        return number > bound if operator == "Gt" else number < bound
    return {
        "In": value in values,
        "NotIn": value not in values,
        "Exists": key in values_of,
        "DoesNotExist": key not in values_of,
    }.get(operator, False)


def _constraint(pod: Pod) -> str:
    """The pod's node constraints in words: `nodeSelector disktype=ssd`, `node affinity (…)`."""
    parts = []
    selector = pod.spec.get("nodeSelector") or {}
    if selector:
        parts.append("nodeSelector " + ",".join(f"{k}={v}" for k, v in sorted(selector.items())))
    terms = [
        " and ".join(
            f"{e.get('key')} {e.get('operator')} {e.get('values') or ''}".strip()
            for e in (t.get("matchExpressions") or []) + (t.get("matchFields") or [])
        )
        for t in _required_terms(pod)
    ]
    if terms:
        parts.append("required node affinity " + " or ".join(f"({t})" for t in terms))
    return "; ".join(parts)
