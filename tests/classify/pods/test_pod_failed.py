"""`pod_failed`: the pod ended in phase Failed and no more specific rule explains it."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def migrate_pod(status: dict) -> dict:
    """A one-off pod (restartPolicy Never) that ended with `status`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "migrate-once", "namespace": "shop"},
        "spec": {"restartPolicy": "Never", "nodeName": "node-1", "containers": [{"name": "migrate"}]},
        "status": status,
    }


def test_a_container_that_exited_1_under_restartpolicy_never_is_a_failed_pod():
    terminated = {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:01:00Z"}
    status = {
        "phase": "Failed",
        "containerStatuses": [{"name": "migrate", "ready": False, "state": {"terminated": terminated}}],
    }
    diagnosis = pod_diagnosis(migrate_pod(status))
    assert (diagnosis.root_cause, diagnosis.severity) == ("pod_failed", "warning")
    assert cited(diagnosis, "status.phase") == "Failed"
    assert cited(diagnosis, "containerStatuses[migrate].state.terminated.exitCode") == (
        "exit 1 (general application error)"
    )
    assert diagnosis.summary == "The pod failed: exit 1 (general application error)."


def test_a_pod_the_kubelet_rejected_at_admission_names_the_reason():
    status = {"phase": "Failed", "reason": "OutOfcpu", "message": "Pod Node didn't have enough resource: cpu"}
    diagnosis = pod_diagnosis(migrate_pod(status))
    assert diagnosis.root_cause == "pod_failed"
    assert cited(diagnosis, "status.reason") == "OutOfcpu"
    assert diagnosis.summary == "The pod failed: OutOfcpu."


def test_a_failed_pod_the_kubelet_evicted_is_evicted_not_just_failed():
    status = {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}
    diagnosis = pod_diagnosis(migrate_pod(status))
    assert diagnosis.root_cause == "evicted"
    assert "pod_failed" in dict(diagnosis.other_causes)
