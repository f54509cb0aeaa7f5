"""`terminating_stuck`: the pod was deleted long ago and is still there."""

from __future__ import annotations

from datetime import timedelta

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.objects import parse_time

MARGIN = timedelta(minutes=5)  # past its grace period by this much, a deletion is stuck, not slow


@rule(
    "Pod",
    "terminating_stuck",
    version=1,
    severity="warning",
    explains=("crash_loop", "probe_failure"),
)
def terminating_stuck(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 | `deletionTimestamp` more than 5 min before the snapshot
    - 0.2 | finalizers present
    """
    pod = facts.pod
    deleted = parse_time(pod.deletion_timestamp)
    if deleted is None or facts.now - deleted < MARGIN:
        return None
    overdue = facts.now - deleted
    evidence = [
        pod_evidence.pod_field(
            facts, "metadata.deletionTimestamp", pod.deletion_timestamp, 0.7, at=pod.deletion_timestamp
        )
    ]
    finalizers = pod.metadata.get("finalizers") or []
    if finalizers:
        evidence.append(pod_evidence.pod_field(facts, "metadata.finalizers", finalizers, 0.2))
    recs = [
        Recommendation(
            action="Find what holds the pod: a finalizer whose controller is gone, or a node that no longer "
            "answers (its kubelet must confirm the deletion)",
            why=f"the deletion was requested {int(overdue.total_seconds() // 60)} min before the snapshot",
            evidence=tuple(evidence),
            command=f"kubectl get pod -n {pod.namespace} {pod.name} -o jsonpath='{{.metadata.finalizers}}'"
            if finalizers
            else f"kubectl get node {pod.node_name}",
        )
    ]
    return Match(
        f"The pod has been terminating for {int(overdue.total_seconds() // 60)} min.",
        tuple(evidence),
        tuple(recs),
    )
