"""`rollout_stuck`: a Deployment's new ReplicaSet did not become available before the progress deadline."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

DEADLINE_EXCEEDED = {
    "type": "Progressing",
    "status": "False",
    "reason": "ProgressDeadlineExceeded",
    "message": 'ReplicaSet "web-7f8e9d" has timed out progressing.',
    "lastTransitionTime": "2025-12-17T09:58:00Z",
}
PROGRESSING = {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}


def deployment(progressing: dict) -> dict:
    """A Deployment of 2 replicas rolling out web-7f8e9d: 1 updated, 1 unavailable."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2, "progressDeadlineSeconds": 600},
        "status": {
            "replicas": 3,
            "updatedReplicas": 1,
            "availableReplicas": 2,
            "unavailableReplicas": 1,
            "conditions": [{"type": "Available", "status": "True"}, progressing],
        },
    }


def test_a_rollout_past_its_progress_deadline_is_stuck():
    diagnosis = diagnosis_of("Deployment", "web", deployment(DEADLINE_EXCEEDED))
    assert (diagnosis.root_cause, diagnosis.severity) == ("rollout_stuck", "critical")
    assert cited(diagnosis, "status.conditions[Progressing].reason") == "ProgressDeadlineExceeded"
    assert cited(diagnosis, "status.updatedReplicas") == "1 updated, 1 unavailable"
    assert diagnosis.summary == "The rollout of web is stuck past its progress deadline."
    assert diagnosis.recommendations[0].command == "kubectl rollout undo deployment/web -n shop"


def test_a_rollout_still_within_its_deadline_is_not_stuck():
    diagnosis = diagnosis_of("Deployment", "web", deployment(PROGRESSING))
    assert diagnosis.root_cause == "healthy"
    assert "rollout_stuck" not in dict(diagnosis.other_causes)
