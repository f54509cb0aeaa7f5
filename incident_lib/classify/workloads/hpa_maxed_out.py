"""`hpa_maxed_out`: the autoscaler wants more replicas than its maximum allows (at max, not at min)."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts


@rule("HorizontalPodAutoscaler", "hpa_maxed_out", version=1, severity="warning")
def hpa_maxed_out(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.7 | `ScalingLimited=True` reason `TooManyReplicas` (not `TooFewReplicas`)
    - 0.2 / 0.05 | currentReplicas at maxReplicas / desiredReplicas
    """
    limited = facts.condition("ScalingLimited")
    current, maximum = facts.status.get("currentReplicas", 0), facts.spec.get("maxReplicas")
    at_max = limited.get("status") == "True" and limited.get("reason") == "TooManyReplicas"
    if not (at_max or (maximum is not None and current >= maximum and limited.get("status") == "True")):
        return None  # TooFewReplicas is an HPA resting at its minimum: fine
    obj = facts.obj
    evidence = [
        cite.object_field(
            obj,
            "status.conditions[ScalingLimited].reason",
            limited.get("reason"),
            0.7,
            at=limited.get("lastTransitionTime"),
        ),
        cite.object_field(obj, "status.currentReplicas", f"{current} (maxReplicas {maximum})", 0.2),
    ]
    desired = facts.status.get("desiredReplicas")
    if desired is not None:
        evidence.append(cite.object_field(obj, "status.desiredReplicas", desired, 0.05))
    target = (facts.spec.get("scaleTargetRef") or {}).get("name", "")
    recs = (
        Recommendation(
            action=f"Raise maxReplicas or make {target} cheaper per request",
            why="the autoscaler is capped at its maximum while the metric still asks for more",
            evidence=tuple(evidence),
            command=f"kubectl describe hpa -n {obj.namespace} {obj.name}",
        ),
    )
    return Match(f"{obj.name} is pinned at its maximum of {maximum} replicas.", tuple(evidence), recs)
