"""`container_create_error`: the runtime cannot create or start the container process."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis

NO_BINARY = (
    'failed to create containerd task: exec: "/app/server": stat /app/server: no such file or directory'
)


def web_pod(state: dict, restarts: int = 0) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-s1", "namespace": "shop", "creationTimestamp": "2025-12-17T09:30:00Z"},
        "spec": {"containers": [{"name": "web", "command": ["/app/server"]}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "web", "ready": False, "restartCount": restarts, "state": state}],
        },
    }


def test_a_command_the_runtime_cannot_start_is_a_container_create_error():
    state = {"terminated": {"reason": "StartError", "exitCode": 128, "message": NO_BINARY}}
    diagnosis = pod_diagnosis(web_pod(state, restarts=3))
    assert (diagnosis.root_cause, diagnosis.severity) == ("container_create_error", "critical")
    assert cited(diagnosis, "containerStatuses[web].state.terminated.reason") == "StartError"
    assert cited(diagnosis, "containerStatuses[web].state.terminated.message") == NO_BINARY
    assert diagnosis.summary == "The runtime could not create or start the container: StartError."


def test_createcontainererror_while_waiting_is_one_too():
    state = {"waiting": {"reason": "CreateContainerError", "message": "container name is already in use"}}
    diagnosis = pod_diagnosis(web_pod(state))
    assert diagnosis.root_cause == "container_create_error"
    assert cited(diagnosis, "containerStatuses[web].state.waiting.reason") == "CreateContainerError"


def test_a_process_that_started_and_exited_1_is_no_container_create_error():
    state = {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:04:00Z"}}
    diagnosis = pod_diagnosis(web_pod(state, restarts=3))
    assert diagnosis.root_cause != "container_create_error"
    assert "container_create_error" not in dict(diagnosis.other_causes)
