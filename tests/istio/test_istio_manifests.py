"""Structure of the Istio manifests: mTLS, subsets, pools, outlier detection, retries, timeouts, canary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ISTIO = ROOT / "istio"
SERVICES = ("backend-api", "users-service", "orders-service", "payments-service")
# Envoy retry conditions Istio accepts in retryOn.
RETRY_CONDITIONS = {
    "5xx", "gateway-error", "reset", "connect-failure", "envoy-ratelimited", "retriable-4xx",
    "refused-stream", "retriable-status-codes", "retriable-headers", "cancelled", "deadline-exceeded",
    "internal", "resource-exhausted", "unavailable",
}  # fmt: skip


def load(name: str) -> list[dict[str, Any]]:
    """The YAML documents of istio/`name`."""
    return [doc for doc in yaml.safe_load_all((ISTIO / name).read_text()) if doc]


def seconds(duration: str) -> float:
    """An Istio duration ("2s", "600ms", "1m") in seconds."""
    match = re.fullmatch(r"([0-9.]+)(ms|s|m|h)", duration)
    assert match, f"bad duration {duration!r}"
    return float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def by_service(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The objects of `kind`, keyed by name, after checking they all live in `apps`."""
    found = {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}
    assert all(d["metadata"]["namespace"] == "apps" for d in found.values())
    return found


DESTINATION_RULES = by_service(load("destination-rules.yaml"), "DestinationRule")
VIRTUAL_SERVICES = by_service(load("virtual-services.yaml"), "VirtualService")


def test_namespace_requires_strict_mtls_but_alertmanagers_port_on_the_diagnostics_api() -> None:
    namespace, alerts = load("peer-authentication.yaml")
    assert (namespace["kind"], namespace["metadata"]["namespace"]) == ("PeerAuthentication", "apps")
    assert namespace["spec"]["mtls"]["mode"] == "STRICT"
    assert "selector" not in namespace["spec"] and "portLevelMtls" not in namespace["spec"]
    assert alerts["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "diagnostics-api"}
    assert alerts["spec"]["mtls"]["mode"] == "STRICT"
    assert alerts["spec"]["portLevelMtls"] == {8000: {"mode": "PERMISSIVE"}}


def test_every_service_has_a_destination_rule_and_a_virtual_service() -> None:
    assert set(DESTINATION_RULES) == set(SERVICES)
    assert set(VIRTUAL_SERVICES) == set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_destination_rule_has_subsets_pool_and_outlier_detection(service: str) -> None:
    spec = DESTINATION_RULES[service]["spec"]
    assert spec["host"] == f"{service}.apps.svc.cluster.local"
    assert {s["name"]: s["labels"] for s in spec["subsets"]} == {
        "v1": {"version": "v1"},
        "v2": {"version": "v2"},
    }
    policy = spec["trafficPolicy"]
    assert policy["tls"]["mode"] == "ISTIO_MUTUAL"
    assert policy["connectionPool"]["tcp"]["maxConnections"] > 0
    assert policy["connectionPool"]["http"]["http1MaxPendingRequests"] > 0
    outlier = policy["outlierDetection"]
    assert outlier["consecutive5xxErrors"] > 0
    assert seconds(outlier["interval"]) > 0 and seconds(outlier["baseEjectionTime"]) > 0
    assert 0 < outlier["maxEjectionPercent"] < 100


@pytest.mark.parametrize("service", SERVICES)
def test_virtual_service_routes_have_timeouts_bounded_retries_and_full_weights(service: str) -> None:
    spec = VIRTUAL_SERVICES[service]["spec"]
    host = DESTINATION_RULES[service]["spec"]["host"]
    subsets = {s["name"] for s in DESTINATION_RULES[service]["spec"]["subsets"]}
    assert spec["hosts"] == [host]
    for route in spec["http"]:
        retries = route["retries"]
        assert retries["attempts"] >= 1
        assert set(retries["retryOn"].split(",")) <= RETRY_CONDITIONS
        assert retries["attempts"] * seconds(retries["perTryTimeout"]) <= seconds(route["timeout"])
        assert sum(d["weight"] for d in route["route"]) == 100
        assert {(d["destination"]["host"], d["destination"]["subset"]) for d in route["route"]} <= {
            (host, s) for s in subsets
        }


def test_backend_api_and_payments_run_a_90_10_canary() -> None:
    for service in ("backend-api", "payments-service"):
        (route,) = VIRTUAL_SERVICES[service]["spec"]["http"]
        assert {d["destination"]["subset"]: d["weight"] for d in route["route"]} == {"v1": 90, "v2": 10}


def test_payments_are_never_retried_after_reaching_the_app() -> None:
    (route,) = VIRTUAL_SERVICES["payments-service"]["spec"]["http"]
    assert not {"5xx", "gateway-error", "reset", "retriable-4xx"} & set(
        route["retries"]["retryOn"].split(",")
    )


def test_mesh_gives_up_on_a_downstream_no_later_than_backend_api_does() -> None:
    budget = yaml.safe_load((ROOT / "helm" / "app" / "values.yaml").read_text())["downstreamTimeoutSeconds"]
    for service in ("users-service", "orders-service", "payments-service"):
        (route,) = VIRTUAL_SERVICES[service]["spec"]["http"]
        assert seconds(route["timeout"]) <= budget
