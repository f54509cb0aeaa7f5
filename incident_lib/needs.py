"""What a diagnosis reads, derived from the rules' declarations (`@rule(..., needs=...)`).

The live collector lists `collected_kinds()`, `diagnose --live --pod` fetches `pod_plan()`, and the
chart's read-only role grants `rbac_rules()` (generated into the chart by `make generate`; a test fails
when the chart drifts). So a new rule that needs a new kind edits no collector, plan or role.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_lib.classify.registry import Rule, all_rules
from incident_lib.k8s.kinds import KINDS, Kind

# Pods are the first subjects and every subject's facts read the events about it.
ALWAYS = ("Pod", "Event")
# What `checks/runbook.py` reads besides what rules need: the runbook is not a rule.
READ_BY_RUNBOOK = (
    "Node",
    "Deployment",
    "LimitRange",
    "DestinationRule",
    "VirtualService",
    "PeerAuthentication",
)
# Listed by the collector itself, for `--all-namespaces` and for suggestions when a namespace is mistyped.
READ_BY_COLLECTOR = ("Namespace",)


def _rules() -> list[Rule]:
    return [r for rules in all_rules().values() for r in rules]


def _in_catalogue_order(kinds: set[Kind]) -> tuple[Kind, ...]:
    """Catalogue kinds in catalogue order, then kinds from outside it (CRDs) by name."""
    order = {k: i for i, k in enumerate(KINDS.values())}
    return tuple(sorted(kinds, key=lambda k: (order.get(k, len(order)), k.kind)))


def collected_kinds() -> tuple[Kind, ...]:
    """Every kind a sweep lists: the rules' subjects and needs, and what the runbook reads."""
    kinds = {KINDS[name] for name in (*ALWAYS, *READ_BY_RUNBOOK)}
    for rule in _rules():
        kinds.add(KINDS[rule.subject])
        kinds.update(rule.kinds)
    return _in_catalogue_order(kinds)


def pod_plan() -> tuple[Kind, ...]:
    """The kinds `diagnose --live --pod` lists besides the pod, its events, its node and the node's
    events: whatever the pod rules need (a namespaced kind in the pod's namespace, else cluster-wide)."""
    kinds = {k for rule in _rules() if rule.subject == "Pod" for k in rule.kinds}
    return _in_catalogue_order(kinds - {KINDS[name] for name in (*ALWAYS, "Node")})


@dataclass(frozen=True)
class RbacRule:
    """One rule of a ClusterRole: resources of one API group and the verbs on them."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


READ = ("get", "list", "watch")


def rbac_rules() -> tuple[RbacRule, ...]:
    """The read-only role: get/list/watch on every collected kind (and namespaces), get on pod logs.
    One rule per API group, the core group first, then groups by name."""
    kinds = (*collected_kinds(), *(KINDS[name] for name in READ_BY_COLLECTOR))
    groups: dict[str, set[str]] = {}
    for kind in kinds:
        groups.setdefault(kind.group, set()).add(kind.resource)
    rules = [RbacRule(group, tuple(sorted(resources)), READ) for group, resources in sorted(groups.items())]
    return (*rules[:1], RbacRule("", ("pods/log",), ("get",)), *rules[1:])


def rbac_yaml(indent: str = "  ") -> str:
    """`rbac_rules()` as the `rules:` items of a ClusterRole, in the chart's style."""
    lines = []
    for r in rbac_rules():
        group = f'"{r.group}"' if not r.group else r.group
        lines += [
            f"{indent}- apiGroups: [{group}]",
            f"{indent}  resources: [{', '.join(r.resources)}]",
            f"{indent}  verbs: [{', '.join(r.verbs)}]",
        ]
    return "\n".join(lines) + "\n"
