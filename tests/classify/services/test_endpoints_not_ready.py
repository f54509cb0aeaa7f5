"""`service_endpoints_not_ready`: pods match the Service but none (or not all) are ready, and why."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def web_pod(name: str, ready: bool) -> dict:
    """A web pod running since 09:00: ready, or crash-looping."""
    status = (
        {"ready": True, "restartCount": 0, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
        if ready
        else {
            "ready": False,
            "restartCount": 7,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {
                "terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:02:00Z"}
            },
        }
    )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "ports": [{"containerPort": 8080}]}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": str(ready)}],
            "containerStatuses": [{"name": "web", **status}],
        },
    }


def test_a_service_whose_only_pod_crash_loops_has_no_ready_endpoint_and_names_why():
    diagnosis = diagnosis_of("Service", "web", SERVICE, web_pod("web-6d4c-a1", ready=False))
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_endpoints_not_ready", "critical")
    assert cited(diagnosis, "spec.selector") == "app=web: 1 pod(s) match, 0 ready"
    assert cited(diagnosis, "Pod/web-6d4c-a1").startswith("crash_loop ")
    assert diagnosis.summary == (
        "1 pod(s) match the Service but none is ready; first cause in time: pod web-6d4c-a1 crash_loop."
    )


def test_one_pod_of_two_not_ready_is_a_warning():
    diagnosis = diagnosis_of(
        "Service", "web", SERVICE, web_pod("web-6d4c-a1", ready=True), web_pod("web-6d4c-b2", ready=False)
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_endpoints_not_ready", "warning")
    assert cited(diagnosis, "spec.selector") == "app=web: 2 pod(s) match, 1 ready"


def test_every_pod_ready_is_no_finding():
    diagnosis = diagnosis_of(
        "Service", "web", SERVICE, web_pod("web-6d4c-a1", ready=True), web_pod("web-6d4c-b2", ready=True)
    )
    assert diagnosis.root_cause == "healthy"
