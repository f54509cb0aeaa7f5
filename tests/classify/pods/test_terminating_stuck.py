"""`terminating_stuck`: the pod was deleted long ago and is still there."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis


def deleted_pod(deleted_at: str) -> dict:
    """A running, ready pod whose deletion was requested at `deleted_at`, held by a finalizer."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-6d4c-t4",
            "namespace": "shop",
            "deletionTimestamp": deleted_at,
            "deletionGracePeriodSeconds": 30,
            "finalizers": ["example.com/drain-connections"],
        },
        "spec": {"nodeName": "node-1", "containers": [{"name": "web"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "web", "ready": True, "state": {"running": {"startedAt": "2025-12-17T08:00:00Z"}}}
            ],
        },
    }


def test_a_pod_deleted_15_minutes_ago_and_still_there_is_stuck():
    diagnosis = pod_diagnosis(deleted_pod("2025-12-17T09:50:00Z"))
    assert (diagnosis.root_cause, diagnosis.severity) == ("terminating_stuck", "warning")
    assert cited(diagnosis, "metadata.deletionTimestamp") == "2025-12-17T09:50:00Z"
    assert cited(diagnosis, "metadata.finalizers") == ["example.com/drain-connections"]
    assert diagnosis.summary == "The pod has been terminating for 15 min."


def test_a_pod_deleted_2_minutes_ago_is_still_within_its_margin():
    assert pod_diagnosis(deleted_pod("2025-12-17T10:03:00Z")).root_cause == "healthy"


def test_a_deletion_older_than_its_grace_period_is_terminating_stuck():
    diagnosis = fixture_diagnosis("terminating-stuck")
    assert diagnosis.root_cause == "terminating_stuck"
    assert diagnosis.summary == "The pod has been terminating for 65 min."
    assert ["example.com/drain-connections"] in [e.value for e in diagnosis.evidence]
