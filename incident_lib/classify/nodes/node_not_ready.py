"""`node_not_ready`: the kubelet stopped reporting Ready (or the node network is down)."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts


@rule("Node", "node_not_ready", version=1, severity="critical", explains=("node_pressure",))
def node_not_ready(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.85 / 0.5 | `Ready` not True / `NetworkUnavailable=True`
    """
    ready, network = facts.condition("Ready"), facts.condition("NetworkUnavailable")
    evidence = []
    if ready and ready.get("status") != "True":
        evidence.append(
            cite.object_field(
                facts.obj,
                "status.conditions[Ready]",
                f"{ready.get('status')}: {ready.get('reason', '')} {ready.get('message', '')}".strip(),
                0.85,
                at=ready.get("lastTransitionTime"),
            )
        )
    if network.get("status") == "True":
        evidence.append(
            cite.object_field(
                facts.obj,
                "status.conditions[NetworkUnavailable].reason",
                network.get("reason"),
                0.5,
                at=network.get("lastTransitionTime"),
            )
        )
    if not evidence:
        return None
    if facts.spec.get("unschedulable"):
        evidence.append(cite.object_field(facts.obj, "spec.unschedulable", True, 0.0))
    name = facts.obj.name
    recs = (
        Recommendation(
            action="Check the kubelet and the container runtime on the node, and its network",
            why="the control plane no longer hears a healthy kubelet from it",
            evidence=tuple(evidence),
            command=f"kubectl describe node {name}",
        ),
    )
    return Match(f"Node {name} is not Ready.", tuple(evidence), recs)
