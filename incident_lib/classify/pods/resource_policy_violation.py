"""`resource_policy_violation`: in a namespace with a LimitRange memory cap (the runbook's 300Mi), a
container with no memory limit or a limit above the cap."""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.quantity import format_bytes


@rule("Pod", "resource_policy_violation", version=1, severity="warning", needs=("LimitRange",))
def resource_policy_violation(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 / 0.8 | in a namespace with a LimitRange memory max: a container with no memory limit / a limit over
      the max
    """
    if facts.memory_cap is None:
        return None
    limit_range, cap = facts.memory_cap
    evidence = []
    for container in facts.pod.containers:
        limit = container.memory_limit
        if limit is None:
            evidence.append(
                pod_evidence.container_spec(facts, container, "resources.limits.memory", "none", 0.7)
            )
        elif limit > cap:
            evidence.append(
                pod_evidence.container_spec(
                    facts,
                    container,
                    "resources.limits.memory",
                    f"{format_bytes(limit)} > {format_bytes(cap)} cap",
                    0.8,
                )
            )
    if not evidence:
        return None
    pod = facts.pod
    recs = (
        Recommendation(
            action=f"Set every container's memory limit at or under {format_bytes(cap)} "
            f"(LimitRange {limit_range})",
            why="the namespace's policy caps container memory; a pod outside it is refused when it is "
            "next created",
            evidence=tuple(evidence),
            command=f"kubectl get limitrange -n {pod.namespace} {limit_range} -o yaml",
        ),
    )
    return Match(f"A container breaks the namespace's {format_bytes(cap)} memory cap.", tuple(evidence), recs)
