"""The local platform's pieces end to end: the services as processes, a real Prometheus scraping them
with the launcher's config, and the diagnosis of injected latency from those real metrics."""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from service_procs import Launcher, RunningService, free_port

from incident_lib.classify.thresholds import Thresholds
from incident_lib.diagnose import diagnose_service
from incident_lib.metrics.catalogue import SIGNALS
from incident_lib.snapshot import Snapshot
from incident_lib.sources.prometheus import PrometheusSource
from services.local_platform.cluster import platform_objects
from services.local_platform.prometheus_config import scrape_config

PROMETHEUS = shutil.which("prometheus")
SERVICES = ("backend-api", "users-service", "orders-service", "payments-service")
HTTP_SIGNALS = tuple(name for name, signal in SIGNALS.items() if signal.profile == "http")
REQUESTS = 40


@pytest.fixture
def slow_platform(launcher: Launcher) -> dict[str, RunningService]:
    """The four services; payments-service answers its /api route 1.3 s late."""
    leaves = {
        "users-service": launcher.start("users-service"),
        "orders-service": launcher.start("orders-service"),
        "payments-service": launcher.start("payments-service", FAULT_LATENCY_MS="1300"),
    }
    backend = launcher.start(
        "backend-api",
        USERS_URL=leaves["users-service"].url,
        ORDERS_URL=leaves["orders-service"].url,
        PAYMENTS_URL=leaves["payments-service"].url,
        DOWNSTREAM_TIMEOUT_S="5",
    )
    return {"backend-api": backend, **leaves}


@pytest.fixture
def prometheus(tmp_path: Path, slow_platform: dict[str, RunningService]) -> Iterator[str]:
    """Debian's Prometheus scraping the services every second, configured as `make platform` does."""
    if PROMETHEUS is None:
        pytest.skip("Debian's prometheus package is not installed; .ci/run installs it")
    config = tmp_path / "prometheus.yml"
    targets = {name: service.url.removeprefix("http://") for name, service in slow_platform.items()}
    config.write_text(scrape_config(targets, interval="1s"))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def payments_route_scraped() -> bool:
        # A series' first sample holds every request made before it: a rate cannot show those. So one
        # request creates the series, and the burst comes after Prometheus has scraped it once.
        query = 'http_request_duration_seconds_count{namespace="apps", route="/api/payments"}'
        return bool(
            httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=2).json()["data"]["result"]
        )

    try:
        assert httpx.get(f"{slow_platform['backend-api'].url}/api/summary", timeout=10).status_code == 200
        wait_for(payments_route_scraped, "Prometheus to scrape payments-service's /api route")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def wait_for(condition, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


async def drive(url: str, requests: int) -> list[int]:
    """`requests` concurrent GETs (a bounded burst); their status codes."""
    async with httpx.AsyncClient(timeout=10) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(requests)))
    return [r.status_code for r in responses]


def service_objects(running: dict[str, RunningService]) -> list[dict]:
    """The four Services and their Endpoints as the cluster would hold them, the local processes as
    their endpoints (what `make platform`'s API double serves)."""
    return platform_objects({name: int(service.url.rsplit(":", 1)[1]) for name, service in running.items()})


def test_latency_in_payments_is_diagnosed_high_latency_from_real_scrapes(
    slow_platform: dict[str, RunningService], prometheus: str
) -> None:
    started = datetime.now(UTC).replace(microsecond=0)
    codes = asyncio.run(drive(f"{slow_platform['backend-api'].url}/api/summary", REQUESTS))
    assert codes == [200] * REQUESTS

    def slow_requests_scraped() -> bool:
        # backend-api observes its requests after payments-service answers them: wait for both scrapes.
        query = (
            'sum by (service) (rate(http_request_duration_seconds_count{namespace="apps",'
            ' route=~"/api/payments|/api/summary"}[5m])) > 0'
        )
        result = httpx.get(f"{prometheus}/api/v1/query", params={"query": query}).json()["data"]["result"]
        return {r["metric"]["service"] for r in result} == {"payments-service", "backend-api"}

    wait_for(slow_requests_scraped, "the slow requests in Prometheus")
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    # A range query evaluates at start + k * step: a span that is a whole number of steps puts the last
    # evaluation at `end`, after the scrape just seen, however long the wait above took.
    span = timedelta(seconds=2 * (math.ceil((end - started).total_seconds() / 2) + 15))
    source = PrometheusSource(prometheus)
    try:
        fetched = source.fetch(["apps"], end - span, end, step="2s", signals=HTTP_SIGNALS)
    finally:
        source.close()
    assert "http_latency_p99.apps" in fetched.metrics, fetched.missing
    snapshot = Snapshot(captured_at=end, objects=service_objects(slow_platform), metrics=fetched.metrics)

    thresholds = Thresholds(slo_p99_seconds=1.0)
    payments = diagnose_service(snapshot, "apps", "payments-service", thresholds)
    assert payments.root_cause == "high_latency"
    p99 = next(e for e in payments.evidence if e.field == "http_latency_p99")
    assert 'namespace="apps"' in p99.lookup and "histogram_quantile(0.99" in p99.lookup
    # backend-api waits for payments-service, so its callers feel it too; the other leaves are fast.
    assert diagnose_service(snapshot, "apps", "backend-api", thresholds).root_cause == "high_latency"
    assert diagnose_service(snapshot, "apps", "users-service", thresholds).root_cause == "healthy"
