"""`healthy` for workloads: all desired replicas ready, a Job complete, an HPA within its range."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.workloads.replicas_unavailable import desired_and_ready
from incident_lib.facts import ObjectFacts


def _replicas_ready(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.8 | all desired replicas ready
    """
    desired, ready, field = desired_and_ready(facts)
    if ready < desired or facts.condition("Progressing").get("reason") == "ProgressDeadlineExceeded":
        return None
    evidence = [cite.object_field(facts.obj, field, f"{ready} of {desired} desired", 0.8)]
    return Match(f"All {desired} desired replica(s) are ready.", tuple(evidence))


for _kind in ("Deployment", "StatefulSet", "DaemonSet"):
    rule(_kind, "healthy", version=1, severity="info")(_replicas_ready)


@rule("Job", "healthy", version=1, severity="info")
def job_complete(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.85 / 0.5 | `Complete=True` / not failed, with its active pods
    """
    complete = facts.condition("Complete")
    if complete.get("status") == "True":
        evidence = [
            cite.object_field(
                facts.obj,
                "status.conditions[Complete].status",
                "True",
                0.85,
                at=complete.get("lastTransitionTime"),
            )
        ]
        return Match(f"The Job completed ({facts.status.get('succeeded', 0)} succeeded).", tuple(evidence))
    if facts.condition("Failed").get("status") != "True":
        active = facts.status.get("active", 0)
        evidence = [cite.object_field(facts.obj, "status.active", active, 0.5)]
        return Match(f"The Job is running ({active} active pod(s)).", tuple(evidence))
    return None


@rule("HorizontalPodAutoscaler", "healthy", version=1, severity="info")
def hpa_in_range(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.7 | able to scale, within its range: currentReplicas against maxReplicas
    """
    limited = facts.condition("ScalingLimited")
    if limited.get("status") == "True" and limited.get("reason") == "TooManyReplicas":
        return None
    if any(facts.condition(c).get("status") == "False" for c in ("AbleToScale", "ScalingActive")):
        return None  # it cannot read its metric or scale its target: not healthy, whatever its size
    current = facts.status.get("currentReplicas", 0)
    evidence = [
        cite.object_field(
            facts.obj, "status.currentReplicas", f"{current} (max {facts.spec.get('maxReplicas')})", 0.7
        )
    ]
    return Match("The autoscaler is within its range.", tuple(evidence))
