"""`config_error`: a ConfigMap, Secret or key the pod needs does not exist."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def web_pod(waiting: dict) -> dict:
    """A web container that has not started, waiting as `waiting` says."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-c9", "namespace": "shop", "creationTimestamp": "2025-12-17T09:30:00Z"},
        "spec": {"containers": [{"name": "web", "envFrom": [{"configMapRef": {"name": "web-config"}}]}]},
        "status": {
            "phase": "Pending",
            "containerStatuses": [
                {"name": "web", "ready": False, "restartCount": 0, "state": {"waiting": waiting}}
            ],
        },
    }


def test_a_missing_configmap_is_a_config_error_naming_it():
    waiting = {"reason": "CreateContainerConfigError", "message": 'configmap "web-config" not found'}
    diagnosis = pod_diagnosis(web_pod(waiting))
    assert (diagnosis.root_cause, diagnosis.severity) == ("config_error", "critical")
    assert cited(diagnosis, "containerStatuses[web].state.waiting.reason") == "CreateContainerConfigError"
    assert (
        cited(diagnosis, "containerStatuses[web].state.waiting.message") == 'configmap "web-config" not found'
    )
    assert diagnosis.summary == "The pod cannot start: missing configmap web-config."
    assert diagnosis.recommendations[0].command == "kubectl get configmap -n shop web-config"


def test_a_missing_key_names_the_key_too():
    waiting = {
        "reason": "CreateContainerConfigError",
        "message": "couldn't find key LOG_LEVEL in ConfigMap shop/web-config",
    }
    diagnosis = pod_diagnosis(web_pod(waiting))
    assert diagnosis.summary == "The pod cannot start: missing configmap web-config (key LOG_LEVEL)."


def test_a_volume_that_fails_to_mount_for_another_reason_is_not_a_config_error():
    timed_out = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "web-6d4c-c9.failedmount", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "web-6d4c-c9", "namespace": "shop"},
        "reason": "FailedMount",
        "type": "Warning",
        "message": 'MountVolume.SetUp failed for volume "data": rpc error: code = DeadlineExceeded',
        "lastTimestamp": "2025-12-17T10:04:00Z",
    }
    diagnosis = pod_diagnosis(web_pod({"reason": "ContainerCreating"}), timed_out)
    assert diagnosis.root_cause == "volume_mount_failed"
    assert "config_error" not in dict(diagnosis.other_causes)
