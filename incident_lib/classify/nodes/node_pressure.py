"""`node_pressure`: memory, disk or PID pressure, and the pods the kubelet evicted from the node.

Only the kubelet's own pressure conditions count: conditions other agents add (node-problem-detector's
`KernelReady`, `FrequentKubeletRestart`…) are not pressure, whatever their status.
"""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts

PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure")


@rule("Node", "node_pressure", version=1, severity="warning")
def node_pressure(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.75 each | each of MemoryPressure, DiskPressure, PIDPressure that is True (other agents' conditions are
      ignored)
    - 0.2 / 0.1 | pods evicted from the node / the latest `EvictionThresholdMet` event
    """
    node = facts.obj
    under = [c for c in PRESSURES if facts.condition(c).get("status") == "True"]
    if not under:
        return None
    evidence = [
        cite.object_field(
            node,
            f"status.conditions[{c}].status",
            f"True: {facts.condition(c).get('message', '')}",
            0.75,
            at=facts.condition(c).get("lastTransitionTime"),
        )
        for c in under
    ]
    evicted = sorted(
        f"{p.namespace}/{p.name}" for p in facts.view.pods_by_node[node.name] if p.reason == "Evicted"
    )
    if evicted:
        evidence.append(
            cite.object_field(
                node, "metadata.name", f"{len(evicted)} pod(s) evicted from it: {', '.join(evicted[:5])}", 0.2
            )
        )
    evidence += [cite.event("", e, 0.1) for e in facts.events_with("EvictionThresholdMet")[-1:]]
    recs = (
        Recommendation(
            action="Find the pods using the most of the resource on the node and set their requests and "
            "limits to what they use",
            why=f"the kubelet reports {', '.join(under)} and evicts pods to relieve it",
            evidence=tuple(evidence),
            command=f"kubectl describe node {node.name}",
        ),
    )
    return Match(f"Node {node.name} is under {', '.join(under)}.", tuple(evidence), recs)
