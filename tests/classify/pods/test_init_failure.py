"""`init_failure`: an init container fails, so the app containers never start."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def pod_with_init(init_status: dict, app_status: dict, phase: str) -> dict:
    """A web pod whose init container `migrate` must exit 0 before `web` starts."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-i8", "namespace": "shop", "creationTimestamp": "2025-12-17T09:30:00Z"},
        "spec": {"initContainers": [{"name": "migrate"}], "containers": [{"name": "web"}]},
        "status": {
            "phase": phase,
            "initContainerStatuses": [{"name": "migrate", **init_status}],
            "containerStatuses": [{"name": "web", **app_status}],
        },
    }


def test_an_init_container_that_keeps_exiting_1_is_an_init_failure():
    init = {
        "ready": False,
        "restartCount": 5,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:03:30Z"}},
    }
    app = {"ready": False, "state": {"waiting": {"reason": "PodInitializing"}}}
    diagnosis = pod_diagnosis(pod_with_init(init, app, "Pending"))
    assert (diagnosis.root_cause, diagnosis.severity) == ("init_failure", "critical")
    assert cited(diagnosis, "initContainerStatuses[migrate].state.waiting.reason") == "CrashLoopBackOff"
    assert cited(diagnosis, "initContainerStatuses[migrate].lastState.terminated.exitCode") == (
        "exit 1 (general application error)"
    )
    assert diagnosis.summary == "Init container migrate fails, so the pod never starts."


def test_an_init_container_that_exited_0_is_no_failure():
    init = {"ready": True, "state": {"terminated": {"reason": "Completed", "exitCode": 0}}}
    app = {"ready": True, "state": {"running": {"startedAt": "2025-12-17T09:31:00Z"}}}
    assert pod_diagnosis(pod_with_init(init, app, "Running")).root_cause == "healthy"
