"""`replicas_unavailable`: a Deployment, StatefulSet or DaemonSet runs fewer ready pods than it wants.

Critical when none is ready, a warning when some are, or when every pod not ready is still inside its
start-up allowance (`pod_starting`: a new workload, a scale-up, a Recreate rollout).
"""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods.pod_starting import WAIT
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.workloads.pods import failing_pod_evidence, first_cause
from incident_lib.facts import ObjectFacts


def desired_and_ready(facts: ObjectFacts) -> tuple[int, int, str]:
    """(desired, ready, field read) for the workload's kind."""
    status, spec = facts.status, facts.spec
    if facts.obj.kind == "DaemonSet":
        return status.get("desiredNumberScheduled", 0), status.get("numberReady", 0), "status.numberReady"
    if facts.obj.kind == "Deployment":
        return spec.get("replicas", 1), status.get("availableReplicas", 0), "status.availableReplicas"
    return spec.get("replicas", 1), status.get("readyReplicas", 0), "status.readyReplicas"


def _replicas_unavailable(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.6 / 0.4 | ready below desired: none / some ready
    - 0.3 | `Available=False`
    - 0.2 each | each failing pod's diagnosis
    """
    desired, ready, field = desired_and_ready(facts)
    if ready >= desired:
        return None
    obj = facts.obj
    evidence = [cite.object_field(obj, field, f"{ready} of {desired} desired", 0.6 if ready == 0 else 0.4)]
    available = facts.condition("Available")
    if available.get("status") == "False":
        evidence.append(
            cite.object_field(
                obj,
                "status.conditions[Available].reason",
                available.get("reason"),
                0.3,
                at=available.get("lastTransitionTime"),
            )
        )
    pods = facts.view.workload_pods(facts.obj)
    behind = failing_pod_evidence(facts, pods)
    evidence += behind
    starting = not behind and facts.all_starting([p for p in pods if not p.condition_is("Ready", "True")])
    cause = f"; first failing: {first_cause(behind[0])}" if behind else ""
    if starting:
        cause, action = "; the others are still starting", WAIT
    else:
        action = "Fix the first failing pod's cause" if behind else "Find why the pods are not ready"
    recs = (
        Recommendation(
            action=action,
            why=f"only {ready} of {desired} replicas are ready",
            evidence=tuple(evidence),
            command=f"kubectl get pods -n {obj.namespace} -o wide | grep {obj.name}",
        ),
    )
    severity = "critical" if ready == 0 and not starting else "warning"
    return Match(
        f"{obj.name} has {ready} of {desired} replicas ready{cause}.", tuple(evidence), recs, severity
    )


for _kind in ("Deployment", "StatefulSet", "DaemonSet"):
    rule(_kind, "replicas_unavailable", version=1, severity="critical", needs=("ReplicaSet",))(
        _replicas_unavailable
    )
