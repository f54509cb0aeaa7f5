"""`crash_loop`: a container keeps exiting and the kubelet keeps restarting it."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis


def worker_pod(restarts: int, state: dict, ready: bool) -> dict:
    """A worker whose last run exited 1 (a general application error) after `restarts` restarts."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "worker-5c8d-q7", "namespace": "shop"},
        "spec": {"containers": [{"name": "worker", "image": "registry.local/shop/worker:1.4.0"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "worker",
                    "ready": ready,
                    "restartCount": restarts,
                    "state": state,
                    "lastState": {
                        "terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:04:10Z"}
                    },
                }
            ],
        },
    }


BACKING_OFF = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 2m40s restarting failed"}}


def test_a_container_in_crashloopbackoff_is_a_crash_loop():
    diagnosis = pod_diagnosis(worker_pod(6, BACKING_OFF, ready=False))
    assert (diagnosis.root_cause, diagnosis.severity) == ("crash_loop", "critical")
    assert cited(diagnosis, "containerStatuses[worker].state.waiting.reason") == "CrashLoopBackOff"
    assert cited(diagnosis, "containerStatuses[worker].restartCount") == 6
    assert cited(diagnosis, "containerStatuses[worker].lastState.terminated.exitCode") == (
        "exit 1 (general application error)"
    )
    assert diagnosis.summary == (
        "Container worker keeps exiting with exit 1 (general application error)"
        " and has been restarted 6 times."
    )


def test_three_failed_restarts_are_a_loop_before_the_kubelet_says_so():
    running = {"running": {"startedAt": "2025-12-17T10:04:20Z"}}
    assert pod_diagnosis(worker_pod(3, running, ready=False)).root_cause == "crash_loop"


def test_two_old_restarts_of_a_container_ready_again_are_history_not_a_loop():
    running = {"running": {"startedAt": "2025-12-17T10:04:20Z"}}
    assert pod_diagnosis(worker_pod(2, running, ready=True)).root_cause == "healthy"


def test_crash_loop_explains_its_exit_code():
    diagnosis = fixture_diagnosis("crash-loop-exit-127")
    assert diagnosis.root_cause == "crash_loop"
    assert "command not found" in diagnosis.summary
    assert any(e.field.endswith("Pod/web-6d4cf56db6-cl127 Warning BackOff") for e in diagnosis.evidence)


def test_a_crash_looping_container_that_just_restarted_is_a_crash_loop_not_a_readiness_failure():
    diagnosis = fixture_diagnosis("crash-loop-just-restarted")
    assert diagnosis.root_cause == "crash_loop"
    assert "probe_failure" not in dict(diagnosis.other_causes)
