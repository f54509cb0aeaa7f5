"""`service_no_endpoints`: the Service's selector matches no pod, so every request fails."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def web_pod(labels: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-a1", "namespace": "shop", "labels": labels},
        "spec": {"containers": [{"name": "web", "ports": [{"containerPort": 8080}]}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "web", "ready": True, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
            ],
        },
    }


def test_a_selector_no_pod_carries_is_no_endpoints_naming_the_closest_labels():
    diagnosis = diagnosis_of("Service", "web", SERVICE, web_pod({"app": "web-frontend"}))
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_no_endpoints", "critical")
    assert cited(diagnosis, "spec.selector") == "app=web"
    assert diagnosis.summary == "The selector app=web matches no pod; closest: app=web-frontend."
    assert diagnosis.recommendations[0].command == "kubectl get pods -n shop --show-labels"


def test_a_selector_that_matches_a_pod_has_endpoints():
    diagnosis = diagnosis_of("Service", "web", SERVICE, web_pod({"app": "web"}))
    assert diagnosis.root_cause == "healthy"


def test_endpoints_with_addresses_count_even_when_the_pods_are_outside_the_snapshot():
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "web", "namespace": "shop"},
        "subsets": [{"addresses": [{"ip": "10.244.1.7"}], "ports": [{"port": 8080}]}],
    }
    assert diagnosis_of("Service", "web", SERVICE, endpoints).root_cause == "healthy"
