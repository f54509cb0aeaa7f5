"""Pods caught between restarts: a container whose current state is `terminated` in a running pod that
restarts it is a crash loop (or, killed by its liveness probe, a probe failure), not `unknown`."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis

HEALTH = {"httpGet": {"path": "/health", "port": 8080}, "periodSeconds": 10, "failureThreshold": 3}


def worker_pod(exit_code: int, restarts: int, liveness: dict | None = None, **spec) -> dict:
    """A running worker whose container has just exited with `exit_code` (reason Error)."""
    container = {"name": "worker", "image": "registry.local/shop/worker:1.4.0"}
    if liveness:
        container["livenessProbe"] = liveness
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "worker-5c8d-q7", "namespace": "shop"},
        "spec": {"containers": [container], **spec},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "worker",
                    "ready": False,
                    "restartCount": restarts,
                    "state": {
                        "terminated": {
                            "reason": "Error",
                            "exitCode": exit_code,
                            "finishedAt": "2025-12-17T10:04:50Z",
                        }
                    },
                }
            ],
        },
    }


def event(reason: str, message: str, kind: str = "Warning") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"worker-5c8d-q7.{reason.lower()}", "namespace": "shop"},
        "involvedObject": {
            "kind": "Pod",
            "name": "worker-5c8d-q7",
            "namespace": "shop",
            "fieldPath": "spec.containers{worker}",
        },
        "reason": reason,
        "type": kind,
        "message": message,
        "count": 3,
        "lastTimestamp": "2025-12-17T10:04:50Z",
    }


def test_an_error_exit_waiting_for_its_restart_is_a_crash_loop_not_unknown():
    diagnosis = pod_diagnosis(worker_pod(exit_code=1, restarts=1))
    assert (diagnosis.root_cause, diagnosis.severity) == ("crash_loop", "critical")
    assert cited(diagnosis, "containerStatuses[worker].state.terminated") == (
        "Error, exit 1 (general application error); restartPolicy Always restarts it"
    )
    assert diagnosis.summary.startswith("Container worker keeps exiting with exit 1")


def test_the_same_exit_under_restart_policy_never_is_not_a_loop():
    diagnosis = pod_diagnosis(worker_pod(exit_code=1, restarts=0, restartPolicy="Never"))
    assert diagnosis.root_cause != "crash_loop"


def test_containers_ending_in_a_pod_being_deleted_are_not_a_crash_loop():
    pod = worker_pod(exit_code=143, restarts=0)
    pod["metadata"]["deletionTimestamp"] = "2025-12-17T10:04:45Z"
    assert pod_diagnosis(pod).root_cause != "crash_loop"


def test_exit_137_with_a_liveness_probe_is_a_probe_failure_ranked_above_the_crash_loop():
    killed = worker_pod(exit_code=137, restarts=2, liveness=HEALTH)
    diagnosis = pod_diagnosis(
        killed,
        event("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"),
        event("Killing", "Container worker failed liveness probe, will be restarted", kind="Normal"),
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("probe_failure", "critical")
    assert [cause for cause, _ in diagnosis.other_causes] == ["crash_loop"]
    assert (
        cited(diagnosis, "containerStatuses[worker].state.terminated")
        == "Error (exit 137) after 2 restart(s)"
    )
    assert any(e.field.endswith("Warning Unhealthy") for e in diagnosis.evidence)


def test_exit_137_with_a_liveness_probe_is_a_probe_failure_without_events_too():
    diagnosis = pod_diagnosis(worker_pod(exit_code=137, restarts=0, liveness=HEALTH))
    assert diagnosis.root_cause == "probe_failure"


def test_exit_137_without_a_probe_stays_a_crash_loop():
    diagnosis = pod_diagnosis(worker_pod(exit_code=137, restarts=1))
    assert diagnosis.root_cause == "crash_loop"
    assert "probe_failure" not in dict(diagnosis.other_causes)


def test_an_oom_kill_caught_between_restarts_is_an_oom_kill_not_a_probe_failure():
    pod = worker_pod(exit_code=137, restarts=1, liveness=HEALTH)
    pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] = "OOMKilled"
    assert pod_diagnosis(pod).root_cause == "oom_killed"
