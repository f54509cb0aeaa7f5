"""`service_port_mismatch`: a targetPort that no selected container exposes."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

WEB_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-6d4c-a1", "namespace": "shop", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "ports": [{"name": "web", "containerPort": 8080}]}]},
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [
            {"name": "web", "ready": True, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
        ],
    },
}


def service(target_port: int | str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": target_port}]},
    }


def test_a_target_port_name_no_container_declares_is_a_port_mismatch():
    diagnosis = diagnosis_of("Service", "web", service("http"), WEB_POD)
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_port_mismatch", "critical")
    assert cited(diagnosis, "spec.ports[0].targetPort") == "http (no container port has this name)"
    assert diagnosis.summary == "The Service targets a port its pods do not expose (pods declare web:8080)."


def test_a_target_port_number_no_container_declares_is_weaker_evidence_of_one():
    diagnosis = diagnosis_of("Service", "web", service(9090), WEB_POD)
    assert diagnosis.root_cause == "service_port_mismatch"
    assert cited(diagnosis, "spec.ports[0].targetPort") == "9090 (containers declare [8080])"


def test_a_target_port_the_container_declares_by_name_or_number_is_no_mismatch():
    assert diagnosis_of("Service", "web", service("web"), WEB_POD).root_cause == "healthy"
    assert diagnosis_of("Service", "web", service(8080), WEB_POD).root_cause == "healthy"
