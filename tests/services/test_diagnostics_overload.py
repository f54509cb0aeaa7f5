"""`POST /ask` under a burst, on the real process: diagnoses run on a few threads of their own, so
`/health` answers while hundreds of `/ask` are in flight, and what does not fit the line waiting for
those threads is refused at once with 503 and Retry-After: never a timeout, never a 500.

The bounds are generous (an idle machine answers `/health` in milliseconds): they catch a stall, not
a slow CI machine.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from diagnostics_proc import ROOT, RunningApi, start_api

from incident_lib.sources.bundle import read_bundle

BUNDLE = ROOT / "incidents" / "oom-drill"
BURST = 300  # /ask requests sent at once
PROBES = 20  # /health probes at least, taken while the burst is in flight
HEALTH_P99_S = 1.0
ASK_TIMEOUT_S = 60.0  # far past any answer: a request that reaches it has stalled


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    running = start_api(
        tmp_path,
        INCIDENT_BUNDLE=str(BUNDLE),
        INCIDENT_STORE=str(tmp_path / "store"),
        ASK_WORKERS="2",
        ASK_QUEUE_SIZE="20",
    )
    yield running
    running.stop()


def burst_bodies() -> list[dict]:
    """BURST bodies asking for every pod and Service of the bundle, with and without logs, in turn."""
    view = read_bundle(BUNDLE).view
    subjects = [(p.namespace, "pod_name", p.name) for p in view.pods]
    subjects += [(s.namespace, "service_name", s.name) for s in view.of_kind("Service")]
    bodies = [
        {"namespace": namespace, key: name, "include_logs": logs}
        for logs in (False, True)
        for namespace, key, name in subjects
    ]
    return [bodies[i % len(bodies)] for i in range(BURST)]


async def send_all(url: str, bodies: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(limits=limits, timeout=ASK_TIMEOUT_S) as client:
        return await asyncio.gather(*(client.post(f"{url}/ask", json=body) for body in bodies))


def probe_health(url: str, until: threading.Event) -> list[tuple[int, float]]:
    """The status and seconds of each `/health`, probed every 20 ms until `until` is set and PROBES
    were taken."""
    probes = []
    with httpx.Client(timeout=ASK_TIMEOUT_S) as client:
        while not until.is_set() or len(probes) < PROBES:
            started = time.perf_counter()
            status = client.get(f"{url}/health").status_code
            probes.append((status, time.perf_counter() - started))
            time.sleep(0.02)
    return probes


def test_health_answers_while_hundreds_of_asks_are_in_flight_and_overload_is_a_503(api: RunningApi) -> None:
    bodies = burst_bodies()
    burst_done = threading.Event()
    probes: list[tuple[int, float]] = []
    prober = threading.Thread(target=lambda: probes.extend(probe_health(api.url, burst_done)))
    prober.start()
    try:
        answers = asyncio.run(send_all(api.url, bodies))
    finally:
        burst_done.set()
        prober.join()

    assert {a.status_code for a in answers} == {200, 503}  # some answered, the rest refused at once
    for refused in (a for a in answers if a.status_code == 503):
        assert refused.headers["Retry-After"] == "1"
        assert "try again" in refused.json()["detail"]
    assert {status for status, _ in probes} == {200}
    p99 = sorted(seconds for _, seconds in probes)[int(0.99 * len(probes))]
    assert p99 < HEALTH_P99_S, f"/health p99 {p99:.2f} s over {len(probes)} probes"


def test_a_refused_ask_is_answered_when_asked_again_after_the_burst(api: RunningApi) -> None:
    bodies = burst_bodies()
    answers = asyncio.run(send_all(api.url, bodies))
    refused = [body for body, answer in zip(bodies, answers, strict=True) if answer.status_code == 503]
    assert refused
    again = httpx.post(f"{api.url}/ask", json=refused[0], timeout=ASK_TIMEOUT_S)
    assert again.status_code == 200
    assert again.json()["subject"]["name"] in (refused[0].get("pod_name"), refused[0].get("service_name"))
