"""`unschedulable`: the scheduler finds no node for the pod, and says why."""

from __future__ import annotations

import re

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

# Scheduler message fragments and the blocker each means, in the order people should check them.
_BLOCKERS = (
    ("insufficient_cpu", re.compile(r"Insufficient cpu", re.I)),
    ("insufficient_memory", re.compile(r"Insufficient memory", re.I)),
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
    "taint": "Add a toleration for the node taint, or schedule on untainted nodes",
    "node_affinity": "Relax the nodeSelector/affinity, or label a node to match it",
    "pod_affinity": "Relax the pod (anti-)affinity rules, or add nodes",
    "unbound_pvc": "Bind the PersistentVolumeClaim (a StorageClass that provisions, or a matching volume)",
    "host_ports": "Free the hostPort or drop it from the pod spec",
    "volume_zone": "Schedule in the zone of the volume, or move the volume",
}


@rule("Pod", "unschedulable", version=1, severity="critical")
def unschedulable(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.8 / 0.1 | `PodScheduled=False` reason `Unschedulable` / its message
    - 0.3 | the latest `FailedScheduling` event
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
    blockers = scheduling_blockers(" ".join(messages))
    named = ", ".join(b.replace("_", " ") for b in blockers) or "see the scheduler message"
    recs = tuple(
        Recommendation(
            action=_ADVICE[b],
            why=f"the scheduler rejected every node: {b.replace('_', ' ')}",
            evidence=tuple(evidence),
            command=_command(facts, b),
        )
        for b in blockers
    ) or (
        Recommendation(
            action="Read the scheduler's message for every node it rejected",
            why="no node fits the pod",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(f"No node can run the pod ({named}).", tuple(evidence), recs)


def scheduling_blockers(message: str) -> list[str]:
    """What keeps the pod off every node, read from FailedScheduling / PodScheduled messages."""
    return [name for name, pattern in _BLOCKERS if pattern.search(message)]


def _command(facts: PodFacts, blocker: str) -> str:
    ns = facts.pod.namespace
    if blocker.startswith("insufficient"):
        return "kubectl describe nodes | grep -A 8 'Allocated resources'"
    if blocker == "taint":
        return "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints"
    if blocker == "unbound_pvc":
        return f"kubectl get pvc -n {ns}"
    return f"kubectl get pod -n {ns} {facts.pod.name} -o yaml"
