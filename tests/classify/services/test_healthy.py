"""`healthy` for a Service: it has ready endpoints (or nothing to check: an ExternalName, no selector)."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def service(spec: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": spec,
    }


def web_pod(ready: bool) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-a1", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "ports": [{"containerPort": 8080}]}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": str(ready)}],
            "containerStatuses": [
                {"name": "web", "ready": ready, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
            ],
        },
    }


SELECTS_WEB = {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}


def test_a_service_whose_pod_is_ready_is_healthy():
    diagnosis = diagnosis_of("Service", "web", service(SELECTS_WEB), web_pod(ready=True))
    assert (diagnosis.root_cause, diagnosis.severity) == ("healthy", "info")
    assert cited(diagnosis, "spec.selector") == "1 of 1 pod(s) ready"
    assert diagnosis.summary == "The Service has ready endpoints."


def test_an_externalname_service_is_a_dns_alias_with_nothing_to_check():
    diagnosis = diagnosis_of(
        "Service", "web", service({"type": "ExternalName", "externalName": "web.example.com"})
    )
    assert diagnosis.root_cause == "healthy"
    assert cited(diagnosis, "spec.externalName") == "web.example.com"


def test_a_service_without_a_selector_has_its_endpoints_managed_elsewhere():
    diagnosis = diagnosis_of("Service", "web", service({"ports": [{"port": 80}]}))
    assert diagnosis.root_cause == "healthy"
    assert cited(diagnosis, "spec.selector") == "none: endpoints are managed outside it"


def test_a_service_whose_only_pod_is_not_ready_is_not_healthy():
    diagnosis = diagnosis_of("Service", "web", service(SELECTS_WEB), web_pod(ready=False))
    assert diagnosis.root_cause == "service_endpoints_not_ready"
