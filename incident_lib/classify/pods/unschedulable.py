"""`unschedulable`: the scheduler finds no node for the pod, and says why.

The scheduler's message (`0/4 nodes are available: 3 Insufficient memory, 1 node(s) had untolerated
taint…`) corroborates; when the snapshot holds the Nodes, the rule computes which resource and how
short, which taint on which nodes, and which node constraint matches nothing (see `node_fit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.node_fit import Fit, amount, node_fit
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

# Scheduler message fragments and the blocker each means, in the order people should check them.
_BLOCKERS = (
    ("insufficient_cpu", re.compile(r"Insufficient cpu", re.I)),
    ("insufficient_memory", re.compile(r"Insufficient memory", re.I)),
    ("insufficient_ephemeral_storage", re.compile(r"Insufficient ephemeral-storage", re.I)),
    ("taint", re.compile(r"taint|didn't tolerate", re.I)),
    ("node_affinity", re.compile(r"node affinity|node selector|didn't match Pod's node", re.I)),
    ("pod_affinity", re.compile(r"pod affinity|anti-affinity", re.I)),
    ("unbound_pvc", re.compile(r"unbound .*PersistentVolumeClaim|persistentvolumeclaim .* not found", re.I)),
    ("host_ports", re.compile(r"free ports", re.I)),
    ("volume_zone", re.compile(r"volume node affinity conflict", re.I)),
)
_ADVICE = {
    "insufficient_cpu": "Lower the CPU request or add node capacity",
    "insufficient_memory": "Lower the memory request or add node capacity",
    "insufficient_ephemeral_storage": "Lower the ephemeral-storage request or add node disk",
    "taint": "Add a toleration for the node taint, or schedule on untainted nodes",
    "node_affinity": "Relax the nodeSelector/affinity, or label a node to match it",
    "pod_affinity": "Relax the pod (anti-)affinity rules, or add nodes",
    "unbound_pvc": "Bind the PersistentVolumeClaim (a StorageClass that provisions, or a matching volume)",
    "host_ports": "Free the hostPort or drop it from the pod spec",
    "volume_zone": "Schedule in the zone of the volume, or move the volume",
}


@rule("Pod", "unschedulable", version=2, severity="critical", needs=("Node",))
def unschedulable(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.8 / 0.1 | `PodScheduled=False` reason `Unschedulable` / its message
    - 0.3 | the latest `FailedScheduling` event
    - 0.5 each | computed from the Nodes: a taint the pod does not tolerate (with its nodes), the
      nodeSelector / required node affinity no node matches, a resource requested beyond the most any
      node left has free (allocatable minus the requests of the pods on it)
    - 0 | no Node in the snapshot: the fit is not checked (context)
    """
    pod = facts.pod
    condition = pod.conditions.get("PodScheduled", {})
    evidence = []
    messages = []
    if condition.get("status") == "False" and condition.get("reason") == "Unschedulable":
        evidence.append(
            pod_evidence.pod_field(
                facts,
                "status.conditions[PodScheduled].reason",
                "Unschedulable",
                0.8,
                at=condition.get("lastTransitionTime"),
            )
        )
        if condition.get("message"):
            messages.append(condition["message"])
            evidence.append(
                pod_evidence.pod_field(
                    facts, "status.conditions[PodScheduled].message", condition["message"], 0.1
                )
            )
    failed = facts.events_with("FailedScheduling")
    if failed and (evidence or not pod.node_name):
        evidence.append(pod_evidence.event(facts, failed[-1], 0.3))
        messages.append(failed[-1].message)
    if not evidence:
        return None
    fit = node_fit(facts.view, pod)
    computed = _computed(facts, fit) if fit else {}
    said = scheduling_blockers(" ".join(messages))
    blockers = [name for name, _ in _BLOCKERS if name in said or name in computed]
    scheduler = tuple(evidence)
    recs = tuple(_recommendation(facts, b, scheduler, computed.get(b)) for b in blockers) or (
        Recommendation(
            action="Read the scheduler's message for every node it rejected",
            why="no node fits the pod",
            evidence=scheduler,
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    evidence += [e for b in blockers if b in computed for e in computed[b].evidence]
    if fit is None:
        evidence.append(NOT_CHECKED)
    named = [b.replace("_", " ") + (f": {computed[b].detail}" if b in computed else "") for b in blockers]
    joined = ("; " if computed else ", ").join(named) or "see the scheduler message"
    return Match(f"No node can run the pod ({joined}).", tuple(evidence), recs)


def scheduling_blockers(message: str) -> list[str]:
    """What keeps the pod off every node, read from FailedScheduling / PodScheduled messages."""
    return [name for name, pattern in _BLOCKERS if pattern.search(message)]


# The fit is judged from the Nodes; without them the scheduler's word stands alone, and says so.
NOT_CHECKED = Evidence(
    source="node",
    field="nodes",
    value="not in the snapshot: which nodes lack what, their taints and labels are not checked",
    weight=0.0,
    lookup="kubectl get nodes -o wide",
)


@dataclass(frozen=True)
class _Computed:
    """A blocker computed from the Nodes: its evidence, the detail the summary gives, and what to do."""

    evidence: tuple[Evidence, ...]
    detail: str
    action: str
    command: str


def _computed(facts: PodFacts, fit: Fit) -> dict[str, _Computed]:
    """The blockers the snapshot's Nodes show, by blocker name."""
    found = {}
    if fit.taints:
        taints = sorted(fit.taints.items())
        found["taint"] = _Computed(
            tuple(
                cite.object_field(
                    nodes[0], "spec.taints", f"{taint} on {_names(nodes)}, not tolerated by the pod", 0.5
                )
                for taint, nodes in taints
            ),
            "; ".join(f"{taint} on {_names(nodes)}" for taint, nodes in taints),
            f"Add a toleration for {' and '.join(t for t, _ in taints)}, or schedule on untainted nodes",
            "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints",
        )
    if fit.unmatched:
        field = "spec.nodeSelector" if facts.pod.spec.get("nodeSelector") else "spec.affinity.nodeAffinity"
        found["node_affinity"] = _Computed(
            (
                pod_evidence.pod_field(
                    facts, field, f"{fit.unmatched}: none of the {len(fit.nodes)} node(s) match", 0.5
                ),
            ),
            f"{fit.unmatched} matches no node",
            f"Relax the {fit.unmatched}, or label a node to match it",
            "kubectl get nodes --show-labels",
        )
    for shortage in fit.shortages:
        resource = shortage.resource
        found[f"insufficient_{resource.replace('-', '_')}"] = _Computed(
            (
                cite.object_field(
                    shortage.node,
                    f"status.allocatable.{resource}",
                    f"{amount(resource, shortage.allocatable)} allocatable, "
                    f"{amount(resource, shortage.used)} requested by its {shortage.pods} pod(s) in the "
                    f"snapshot: {shortage.describe()}",
                    0.5,
                ),
            ),
            shortage.describe(),
            f"Lower the {resource} request to at most {amount(resource, max(shortage.free, 0))}, or add "
            f"node capacity",
            f"kubectl describe node {shortage.node.name} | grep -A 8 'Allocated resources'",
        )
    return found


def _recommendation(
    facts: PodFacts, blocker: str, scheduler: tuple[Evidence, ...], computed: _Computed | None
) -> Recommendation:
    why = f"the scheduler rejected every node: {blocker.replace('_', ' ')}"
    if computed is None:
        return Recommendation(_ADVICE[blocker], why, scheduler, _command(facts, blocker))
    return Recommendation(
        computed.action, f"{why} ({computed.detail})", scheduler + computed.evidence, computed.command
    )


def _names(nodes: list) -> str:
    shown = ", ".join(n.name for n in nodes[:5])
    return shown + (f" and {len(nodes) - 5} more" if len(nodes) > 5 else "")


def _command(facts: PodFacts, blocker: str) -> str:
    ns = facts.pod.namespace
    if blocker.startswith("insufficient"):
        return "kubectl describe nodes | grep -A 8 'Allocated resources'"
    if blocker == "taint":
        return "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints"
    if blocker == "unbound_pvc":
        return f"kubectl get pvc -n {ns}"
    return f"kubectl get pod -n {ns} {facts.pod.name} -o yaml"
