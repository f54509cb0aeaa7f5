"""`image_pull_error`: the kubelet cannot get the container's image, and the message says why."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis


def web_pod(state: dict, ready: bool = False) -> dict:
    """A web container of image registry.local/shop/web:2.4.0, in `state`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-p5", "namespace": "shop", "creationTimestamp": "2025-12-17T09:30:00Z"},
        "spec": {"containers": [{"name": "web", "image": "registry.local/shop/web:2.4.0"}]},
        "status": {
            "phase": "Pending" if not ready else "Running",
            "containerStatuses": [{"name": "web", "ready": ready, "restartCount": 0, "state": state}],
        },
    }


NOT_FOUND = {
    "waiting": {
        "reason": "ImagePullBackOff",
        "message": 'Back-off pulling image "registry.local/shop/web:2.4.0": manifest unknown',
    }
}
PULL_FAILED = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "web-6d4c-p5.failed", "namespace": "shop"},
    "involvedObject": {"kind": "Pod", "name": "web-6d4c-p5", "namespace": "shop"},
    "reason": "Failed",
    "type": "Warning",
    "message": 'Failed to pull image "registry.local/shop/web:2.4.0": manifest unknown',
    "lastTimestamp": "2025-12-17T09:31:00Z",
}


def test_a_tag_the_registry_does_not_have_is_an_image_pull_error_not_found():
    diagnosis = pod_diagnosis(web_pod(NOT_FOUND), PULL_FAILED)
    assert (diagnosis.root_cause, diagnosis.severity) == ("image_pull_error", "critical")
    assert cited(diagnosis, "containerStatuses[web].state.waiting.reason") == "ImagePullBackOff"
    assert cited(diagnosis, "spec.containers[web].image") == "registry.local/shop/web:2.4.0"
    assert diagnosis.summary == "The image of container web cannot be pulled (not found)."
    assert diagnosis.recommendations[0].action.startswith("Fix the image name or tag")


def test_a_pull_that_failed_once_and_then_worked_is_no_image_pull_error():
    running = {"running": {"startedAt": "2025-12-17T09:33:00Z"}}
    assert pod_diagnosis(web_pod(running, ready=True), PULL_FAILED).root_cause == "healthy"


def test_image_pull_error_tells_an_unauthorised_pull_apart():
    diagnosis = fixture_diagnosis("image-pull-unauthorized")
    assert diagnosis.root_cause == "image_pull_error"
    assert "unauthorized" in diagnosis.summary
    assert "imagePullSecret" in diagnosis.recommendations[0].action
