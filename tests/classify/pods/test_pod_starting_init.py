"""`pod_starting` while an init container runs: the app waits for it, however long it takes, as long as
nothing failed."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def migrating_pod(init_state: dict, restarts: int = 0, sidecar: bool = False) -> dict:
    """A pod created 8 minutes before the snapshot whose init container `migrate` is in `init_state`."""
    init = {"name": "migrate", "image": "registry.local/shop/migrate:2.0.0"}
    if sidecar:
        init["restartPolicy"] = "Always"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api-7f9c-m2", "namespace": "shop", "creationTimestamp": "2025-12-17T09:57:00Z"},
        "spec": {"nodeName": "node-1", "initContainers": [init], "containers": [{"name": "api"}]},
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Initialized", "status": "False", "reason": "ContainersNotInitialized"},
            ],
            "initContainerStatuses": [
                {"name": "migrate", "ready": False, "restartCount": restarts, "state": init_state}
            ],
            "containerStatuses": [
                {
                    "name": "api",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "PodInitializing"}},
                }
            ],
        },
    }


RUNNING = {"running": {"startedAt": "2025-12-17T09:57:10Z"}}


def test_a_pod_running_its_init_container_for_8_minutes_is_starting_not_unknown():
    diagnosis = pod_diagnosis(migrating_pod(RUNNING))
    assert (diagnosis.root_cause, diagnosis.severity) == ("pod_starting", "info")
    assert cited(diagnosis, "initContainerStatuses[migrate].state.running.startedAt") == (
        "2025-12-17T09:57:10Z, 470 s ago: the app containers wait for it"
    )
    assert diagnosis.summary.startswith("The pod is starting: init container migrate is still running")


def test_an_init_container_that_already_failed_is_not_starting():
    assert pod_diagnosis(migrating_pod(RUNNING, restarts=2)).root_cause != "pod_starting"


def test_a_sidecar_running_beside_an_app_that_never_started_is_not_starting():
    assert pod_diagnosis(migrating_pod(RUNNING, sidecar=True)).root_cause == "unknown"
