"""`service_endpoints_not_ready` from the Endpoints alone: a snapshot without the Service's pods still
shows its not-ready addresses, and some of them not ready is a warning, not healthy."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "catalog", "namespace": "shop"},
    "spec": {"selector": {"app": "catalog"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def address(ip: str, pod: str) -> dict:
    return {"ip": ip, "targetRef": {"kind": "Pod", "name": pod, "namespace": "shop"}}


def endpoints(ready: list[dict], not_ready: list[dict]) -> dict:
    subset = {"addresses": ready, "notReadyAddresses": not_ready, "ports": [{"port": 8080}]}
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "catalog", "namespace": "shop"},
        "subsets": [subset],
    }


READY = [address("10.0.0.1", "catalog-a"), address("10.0.0.2", "catalog-b")]


def test_some_not_ready_addresses_are_a_warning_not_healthy():
    diagnosis = diagnosis_of(
        "Service", "catalog", SERVICE, endpoints(READY, [address("10.0.0.3", "catalog-c")])
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_endpoints_not_ready", "warning")
    assert cited(diagnosis, "subsets[*].notReadyAddresses") == "1 not ready (catalog-c), 2 ready"
    assert diagnosis.summary == "The Service's Endpoints list 3 address(es) but only 2 of 3 are ready."


def test_only_not_ready_addresses_are_critical():
    diagnosis = diagnosis_of("Service", "catalog", SERVICE, endpoints([], READY))
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_endpoints_not_ready", "critical")


def test_every_address_ready_is_healthy():
    assert diagnosis_of("Service", "catalog", SERVICE, endpoints(READY, [])).root_cause == "healthy"
