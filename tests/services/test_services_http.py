"""The services as real processes over HTTP: probes, metrics, fan-out and the fault knobs."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from service_procs import Launcher, RunningService, free_port, service_command, service_env

LEAVES = {"users-service": "users", "orders-service": "orders", "payments-service": "payments"}


def metric(running: RunningService, name: str, /, **labels: str) -> float:
    """The sum of the samples of `name` on the service's /metrics whose labels include `labels`."""
    text = httpx.get(f"{running.url}/metrics").text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


@pytest.mark.parametrize("name", ["backend-api", *LEAVES])
def test_probes_answer_and_are_counted(platform: dict[str, RunningService], name: str) -> None:
    service = platform[name]
    health = httpx.get(f"{service.url}/health")
    ready = httpx.get(f"{service.url}/ready")
    assert (health.status_code, health.json()["service"]) == (200, name)
    assert (ready.status_code, ready.json()["ready"]) == (200, True)
    labels = {"service": name, "route": "/ready", "method": "GET", "status": "200"}
    assert metric(service, "http_requests_total", **labels) >= 1
    assert metric(service, "http_request_duration_seconds_count", service=name, route="/health") >= 1
    assert metric(service, "process_resident_memory_bytes") > 0


def test_unknown_paths_share_one_route_label(platform: dict[str, RunningService]) -> None:
    service = platform["users-service"]
    for path in ("/a", "/b/c"):
        assert httpx.get(f"{service.url}{path}").status_code == 404
    assert metric(service, "http_requests_total", route="unmatched", status="404") == 2
    assert metric(service, "http_requests_total", route="/a") == 0


def test_backend_fans_out_to_the_three_services(platform: dict[str, RunningService]) -> None:
    before = {
        name: metric(platform[name], "http_requests_total", route=f"/api/{res}")
        for name, res in LEAVES.items()
    }
    response = httpx.get(f"{platform['backend-api'].url}/api/summary")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(LEAVES)
    assert body["orders-service"]["data"][0] == {"id": 1, "name": "orders-1"}
    for name, resource in LEAVES.items():
        assert metric(platform[name], "http_requests_total", route=f"/api/{resource}", status="200") == (
            before[name] + 1
        )


def test_backend_answers_502_when_a_downstream_is_down(
    platform: dict[str, RunningService], launcher: Launcher
) -> None:
    backend = launcher.start(
        "backend-api",
        USERS_URL=platform["users-service"].url,
        ORDERS_URL=platform["orders-service"].url,
        PAYMENTS_URL=f"http://127.0.0.1:{free_port()}",
        DOWNSTREAM_TIMEOUT_S="1",
    )
    response = httpx.get(f"{backend.url}/api/summary")
    assert response.status_code == 502
    assert response.json()["payments-service"]["status"] is None
    assert "ConnectError" in response.json()["payments-service"]["error"]
    assert response.json()["users-service"]["status"] == 200
    assert metric(backend, "http_requests_total", route="/api/summary", status="502") == 1


def test_latency_knob_moves_requests_into_slower_buckets(launcher: Launcher) -> None:
    service = launcher.start("users-service", FAULT_LATENCY_MS="300")
    for _ in range(3):
        assert httpx.get(f"{service.url}/api/users").status_code == 200
    route = {"service": "users-service", "route": "/api/users"}
    assert metric(service, "http_request_duration_seconds_bucket", le="0.25", **route) == 0
    assert metric(service, "http_request_duration_seconds_bucket", le="0.5", **route) == 3
    # Probes are not slowed: the drill shows slow traffic, not failing liveness checks.
    assert metric(service, "http_request_duration_seconds_bucket", le="0.25", route="/health") >= 1


def test_error_ratio_knob_yields_counted_5xx(launcher: Launcher) -> None:
    service = launcher.start("payments-service", FAULT_ERROR_RATIO="0.5")
    codes = [httpx.get(f"{service.url}/api/payments").status_code for _ in range(10)]
    assert codes == [200, 500] * 5
    assert metric(service, "http_requests_total", route="/api/payments", status="500") == 5
    assert metric(service, "http_requests_total", route="/api/payments", status="200") == 5
    assert httpx.get(f"{service.url}/health").status_code == 200


def test_memory_knob_grows_memory_until_its_limit(launcher: Launcher) -> None:
    service = launcher.start("orders-service", FAULT_MEMORY_MIB_PER_REQUEST="20", FAULT_MEMORY_LIMIT_MIB="60")
    baseline = metric(service, "process_resident_memory_bytes")
    for _ in range(3):
        httpx.get(f"{service.url}/api/orders")
    at_limit = metric(service, "process_resident_memory_bytes")
    for _ in range(3):
        httpx.get(f"{service.url}/api/orders")
    after = metric(service, "process_resident_memory_bytes")
    mib = 1024 * 1024
    assert at_limit - baseline >= 55 * mib
    assert after - at_limit < 10 * mib


def test_exit_on_start_exits_with_the_configured_code() -> None:
    done = subprocess.run(
        service_command("orders-service", free_port()),
        env=service_env({"FAULT_EXIT_CODE": "3"}),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 3
    assert "FAULT_EXIT_CODE" in done.stderr


@pytest.mark.parametrize(
    ("name", "env", "message"),
    [
        ("users-service", {"FAULT_ERROR_RATIO": "1.5"}, "FAULT_ERROR_RATIO='1.5' is outside"),
        ("backend-api", {"USERS_URL": "", "ORDERS_URL": "http://x", "PAYMENTS_URL": "http://y"}, "USERS_URL"),
    ],
)
def test_invalid_settings_exit_2_naming_the_variable(name: str, env: dict[str, str], message: str) -> None:
    done = subprocess.run(
        service_command(name, free_port()), env=service_env(env), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
