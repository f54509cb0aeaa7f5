"""`healthy` for a Node: Ready, and no kubelet pressure condition."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.nodes.node_pressure import PRESSURES
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts


@rule("Node", "healthy", version=1, severity="info")
def healthy(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.8 | `Ready=True`, with its reason
    - 0.1 | no memory, disk or PID pressure condition
    """
    ready = facts.condition("Ready")
    if ready.get("status") != "True" or any(facts.condition(c).get("status") == "True" for c in PRESSURES):
        return None
    evidence = [
        cite.object_field(
            facts.obj,
            "status.conditions[Ready].reason",
            ready.get("reason", "Ready"),
            0.8,
            at=ready.get("lastTransitionTime"),
        ),
        cite.object_field(facts.obj, "status.conditions", "no memory, disk or PID pressure", 0.1),
    ]
    return Match(f"Node {facts.obj.name} is Ready with no pressure.", tuple(evidence))
