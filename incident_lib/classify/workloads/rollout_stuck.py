"""`rollout_stuck`: a Deployment's new ReplicaSet did not become available before the progress deadline."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.workloads.pods import failing_pod_evidence, first_cause
from incident_lib.facts import ObjectFacts


@rule(
    "Deployment",
    "rollout_stuck",
    version=1,
    severity="critical",
    explains=("replicas_unavailable",),
    needs=("ReplicaSet",),
)
def rollout_stuck(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.85 / 0.05 | `Progressing` reason `ProgressDeadlineExceeded` / its message
    - 0.1 | updated and unavailable replicas
    - 0.2 each | each failing pod's diagnosis, earliest first (3 at most)
    """
    progressing = facts.condition("Progressing")
    if progressing.get("reason") != "ProgressDeadlineExceeded":
        return None
    obj = facts.obj
    evidence = [
        cite.object_field(
            obj,
            "status.conditions[Progressing].reason",
            "ProgressDeadlineExceeded",
            0.85,
            at=progressing.get("lastTransitionTime"),
        ),
    ]
    if progressing.get("message"):
        evidence.append(
            cite.object_field(obj, "status.conditions[Progressing].message", progressing["message"], 0.05)
        )
    status = facts.status
    evidence.append(
        cite.object_field(
            obj,
            "status.updatedReplicas",
            f"{status.get('updatedReplicas', 0)} updated, {status.get('unavailableReplicas', 0)} unavailable",
            0.1,
        )
    )
    behind = failing_pod_evidence(facts, facts.view.workload_pods(facts.obj))
    evidence += behind
    cause = f"; first failing: {first_cause(behind[0])}" if behind else ""
    recs = (
        Recommendation(
            action="Roll back to the last working revision, then fix what the new pods fail on",
            why="the new ReplicaSet did not become available within progressDeadlineSeconds",
            evidence=tuple(evidence),
            command=f"kubectl rollout undo deployment/{obj.name} -n {obj.namespace}",
        ),
        Recommendation(
            action="See what changed between the revisions",
            why="a stuck rollout is caused by what the new revision changed",
            evidence=tuple(evidence[:1]),
            command=f"kubectl rollout history deployment/{obj.name} -n {obj.namespace}",
        ),
    )
    return Match(
        f"The rollout of {obj.name} is stuck past its progress deadline{cause}.", tuple(evidence), recs
    )
