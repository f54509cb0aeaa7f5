"""`unknown`: the pod is not healthy and no rule explains why. Said plainly, with what was seen."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis


def batch_pod(phase: str, state: dict, ready: bool) -> dict:
    """A pod in `phase` whose one container is in `state`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "batch-2f6a-k9",
            "namespace": "shop",
            "creationTimestamp": "2025-12-17T08:00:00Z",
        },
        "spec": {"containers": [{"name": "batch"}]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": str(ready), "reason": "ContainersNotReady"}],
            "containerStatuses": [{"name": "batch", "ready": ready, "restartCount": 0, "state": state}],
        },
    }


def test_a_pod_pending_for_hours_with_no_known_cause_is_unknown():
    diagnosis = pod_diagnosis(batch_pod("Pending", {"waiting": {"reason": "ContainerCreating"}}, ready=False))
    assert (diagnosis.root_cause, diagnosis.severity) == ("unknown", "warning")
    assert cited(diagnosis, "status.phase") == "Pending"
    assert cited(diagnosis, "containerStatuses[batch].state.waiting") == "ContainerCreating"
    assert diagnosis.summary == "The pod is not healthy (phase Pending) and no rule matched."


def test_a_running_ready_pod_is_not_unknown():
    diagnosis = pod_diagnosis(
        batch_pod("Running", {"running": {"startedAt": "2025-12-17T08:00:10Z"}}, ready=True)
    )
    assert diagnosis.root_cause == "healthy"
    assert "unknown" not in dict(diagnosis.other_causes)


def test_unknown_gives_way_to_any_cause_that_fired():
    backing_off = {"waiting": {"reason": "CrashLoopBackOff"}}
    diagnosis = pod_diagnosis(batch_pod("Running", backing_off, ready=False))
    assert diagnosis.root_cause == "crash_loop"
    assert "unknown" not in dict(diagnosis.other_causes)


def test_a_pod_creating_its_container_for_15_minutes_is_not_starting_any_more():
    assert fixture_diagnosis("container-creating-stale").root_cause == "unknown"
