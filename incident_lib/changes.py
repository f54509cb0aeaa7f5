"""The change index: what changed in the snapshot's objects, and when, from the traces they carry.

A snapshot holds no history, but its objects record some of their own:
- `metadata.creationTimestamp`: when each object was created;
- `metadata.managedFields`: for each field manager, the time of its last write (`Update` or `Apply`),
  when the capture kept them (status writes, `subresource: status`, are the controllers' reports, not
  changes); without them, an object whose `generation` is over 1 was edited at a time not recorded;
- ReplicaSets (of a Deployment) and ControllerRevisions (of a StatefulSet or DaemonSet): one per
  revision of the pod template, created when that revision rolled out, so two consecutive ones show
  which template fields changed (image, command, env, resources, probes);
- Istio VirtualServices and DestinationRules, described by what they do to traffic (a fault injected).

Objects that mirror others (Events, Endpoints, EndpointSlices) and objects a controller made (the pods of
a ReplicaSet) are not changes of their own. Changes are ordered by time, then kind, namespace, name and
what changed: the same snapshot gives the same index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from incident_lib.classify.evidence import Evidence
from incident_lib.cluster import ClusterView
from incident_lib.k8s.field_lookup import field_lookup
from incident_lib.k8s.objects import ObjectView, format_time, parse_time
from incident_lib.k8s.selectors import describe

MIRRORS = frozenset({"Event", "Endpoints", "EndpointSlice"})
REVISIONS = {"ReplicaSet": ("Deployment",), "ControllerRevision": ("StatefulSet", "DaemonSet")}  # -> owners
TEMPLATE_FIELDS = (
    "image",
    "command",
    "args",
    "env",
    "envFrom",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
)


@dataclass(frozen=True)
class Change:
    """One change: when, to which object, what (`created`, `updated`, `revision 3`), a short description
    and the command that shows it again."""

    at: datetime
    kind: str
    namespace: str
    name: str
    what: str
    description: str
    lookup: str

    @property
    def subject(self) -> str:
        """`VirtualService apps/payments-service`, `Node kubeworker1`."""
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"

    def evidence(self, weight: float) -> Evidence:
        """The change as evidence (source `change`), for a rule or a correlation that names it."""
        return Evidence(
            source="change",
            field=f"{self.kind}/{self.name} {self.what}",
            value=self.description,
            weight=weight,
            at=format_time(self.at),
            lookup=self.lookup,
        )

    def sort_key(self) -> tuple:
        return (self.at, self.kind, self.namespace, self.name, self.what)


@dataclass(frozen=True)
class Fault:
    """An Istio fault on one http route of a VirtualService: a `delay` (`amount` the fixed delay) or an
    `abort` (`amount` the status returned) on `percent` of the requests. `route` is the route's index."""

    route: int
    action: str
    amount: str
    percent: float

    def __str__(self) -> str:
        return f"{self.action} {self.amount} on {self.percent:g}% of requests"


def change_index(view: ClusterView, namespaces: Sequence[str] = ()) -> list[Change]:
    """Every change of the objects in `namespaces` (every object, cluster-scoped ones too, when empty)."""
    kinds = sorted({raw.get("kind", "") for raw in view.snapshot.objects} - MIRRORS)
    objects = [
        obj for kind in kinds for obj in view.of_kind(kind) if not namespaces or obj.namespace in namespaces
    ]
    out = [c for obj in objects if obj.owner is None for c in changes_of(obj)]
    out += revision_changes([o for o in objects if o.kind in REVISIONS])
    return sorted(out, key=Change.sort_key)


def changes_of(obj: ObjectView) -> list[Change]:
    """The object's creation and each later write its managedFields record, oldest first. What the object
    does (`describe_object`) is its state now: it reads as that on the last change, as `now …` on the
    earlier ones (and on the creation of an object edited when, the snapshot does not say)."""
    created = parse_time(obj.metadata.get("creationTimestamp"))
    writes = sorted(
        (at, entry.get("manager", ""), entry.get("operation", ""))
        for entry in obj.metadata.get("managedFields") or []
        if not entry.get("subresource") and (at := parse_time(entry.get("time"))) is not None
    )
    later = [w for w in writes if created is None or w[0] > created]
    rows = [
        (at, "updated", f"by {manager}, {operation}", _managed_lookup(obj, manager))
        for at, manager, operation in later
    ]
    unrecorded = False
    if created is not None:
        creator = next((f"by {manager}" for at, manager, _ in writes if at == created), "")
        generation = obj.metadata.get("generation") or 0
        unrecorded = generation > 1 and not later
        edited = f"edited since (generation {generation}), when is not recorded" if unrecorded else ""
        note = ", ".join(n for n in (creator, edited) if n)
        rows.insert(0, (created, "created", note, field_lookup(obj, "metadata.creationTimestamp")))
    now = describe_object(obj)
    current = -1 if unrecorded else len(rows) - 1  # the change after which the object is as it is now
    return [
        _change(obj, at, what, _described(now if i == current or not now else f"now {now}", note), lookup)
        for i, (at, what, note, lookup) in enumerate(rows)
    ]


def _described(state: str, note: str) -> str:
    """What the object does, with who made the change: `fault: … (by kubectl-edit, Update)`."""
    return f"{state} ({note})" if state and note else state or note


def _change(obj: ObjectView, at: datetime, what: str, description: str, lookup: str) -> Change:
    return Change(at, obj.kind, obj.namespace, obj.name, what, description, lookup)


def _managed_lookup(obj: ObjectView, manager: str) -> str:
    scope = f" -n {obj.namespace}" if obj.namespace else ""
    return (
        f"kubectl get {obj.kind.lower()}{scope} {obj.name} --show-managed-fields "
        f"-o jsonpath='{{.metadata.managedFields[?(@.manager==\"{manager}\")].time}}'"
    )


def describe_object(obj: ObjectView) -> str:
    """What the object does, in a few words, for the kinds whose change often causes an incident."""
    spec = obj.spec
    if obj.kind == "VirtualService":
        faults = "; ".join(str(f) for f in istio_faults(obj))
        hosts = ", ".join(spec.get("hosts") or [])
        return f"fault: {faults} to {hosts}" if faults else f"routes {hosts}"
    if obj.kind == "DestinationRule":
        subsets = ", ".join(s.get("name", "") for s in spec.get("subsets") or [])
        return f"host {spec.get('host', '')}" + (f", subsets {subsets}" if subsets else "")
    if obj.kind == "Service" and spec.get("selector"):
        return f"selects {describe(spec['selector'])}"
    if obj.kind in ("Deployment", "StatefulSet", "DaemonSet"):
        containers = (spec.get("template") or {}).get("spec", {}).get("containers") or []
        return "image " + ", ".join(c.get("image", "") for c in containers)
    if obj.kind == "ConfigMap":
        return "keys " + ", ".join(sorted(obj.raw.get("data") or {}))
    return ""


def istio_faults(virtual_service: ObjectView) -> list[Fault]:
    """The faults of a VirtualService's http routes. A fault with neither `percentage` nor the older
    `percent` is injected into no request (Istio reads the missing share as 0)."""
    out = []
    for index, route in enumerate(virtual_service.spec.get("http") or []):
        fault = route.get("fault") or {}
        delay, abort = fault.get("delay"), fault.get("abort")
        if isinstance(delay, dict):
            amount = delay.get("fixedDelay") or delay.get("exponentialDelay") or "?"
            out.append(Fault(index, "delay", str(amount), _percent(delay)))
        if isinstance(abort, dict):
            status = abort.get("httpStatus")
            amount = f"HTTP {status}" if status else f"gRPC {abort.get('grpcStatus', '?')}"
            out.append(Fault(index, "abort", amount, _percent(abort)))
    return out


def _percent(spec: dict) -> float:
    share = spec.get("percentage")
    value = share.get("value") if isinstance(share, dict) else spec.get("percent")
    return float(value) if isinstance(value, int | float) else 0.0


# ---------------------------------------------------------------- revisions


def revision_changes(revisions: Sequence[ObjectView]) -> list[Change]:
    """Each revision after a workload's first (the first is its creation): when it rolled out and which
    template fields changed from the revision before it, when that one is still captured."""
    by_owner: dict[tuple[str, str, str], dict[int, ObjectView]] = {}
    for rev in revisions:
        ref = rev.owner
        number = _revision_number(rev)
        if ref is None or number is None or ref.get("kind") not in REVISIONS[rev.kind]:
            continue
        by_owner.setdefault((rev.namespace, ref.get("kind", ""), ref.get("name", "")), {})[number] = rev
    out = []
    for (namespace, kind, name), numbered in by_owner.items():
        for number, rev in numbered.items():
            at = parse_time(rev.metadata.get("creationTimestamp"))
            if number < 2 or at is None:
                continue
            before = numbered.get(number - 1)
            diff = template_diff(_template(before), _template(rev)) if before else ""
            description = diff or (
                "pod template changed" if before else f"revision {number - 1} is not captured to compare"
            )
            lookup = f"kubectl rollout history {kind.lower()}/{name} -n {namespace} --revision={number}"
            out.append(Change(at, kind, namespace, name, f"revision {number}", description, lookup))
    return out


def _revision_number(rev: ObjectView) -> int | None:
    text = (
        rev.raw.get("revision")
        if rev.kind == "ControllerRevision"
        else (rev.metadata.get("annotations") or {}).get("deployment.kubernetes.io/revision")
    )
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _template(rev: ObjectView) -> dict:
    spec = (rev.raw.get("data") or {}).get("spec", {}) if rev.kind == "ControllerRevision" else rev.spec
    return spec.get("template") or {}


def template_diff(before: dict, after: dict) -> str:
    """Which container fields of a pod template changed: `app: image a:1 → a:2, env`; containers added or
    removed; "" when none of `TEMPLATE_FIELDS` did."""
    old, new = _containers(before), _containers(after)
    parts = [f"container {name} added" for name in new if name not in old]
    parts += [f"container {name} removed" for name in old if name not in new]
    for name in (n for n in new if n in old):
        fields = [
            f"image {old[name].get('image')} → {new[name].get('image')}" if key == "image" else key
            for key in TEMPLATE_FIELDS
            if old[name].get(key) != new[name].get(key)
        ]
        if fields:
            parts.append(f"{name}: {', '.join(fields)}")
    return "; ".join(parts)


def _containers(template: dict) -> dict[str, dict]:
    spec = template.get("spec") or {}
    return {c.get("name", ""): c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
