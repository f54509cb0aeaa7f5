"""`POST /alerts`: Alertmanager's webhook on the diagnostics API, over the real app (FastAPI's TestClient)
and as a real process, with the Kubernetes API double, an HTTP receiver and a store on disk."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from diagnostics_proc import start_api
from fastapi.testclient import TestClient

from incident_lib.incidents.store import IncidentStore
from services.diagnostics.app import create_app
from services.diagnostics.settings import Settings
from tests.helpers import OOM_DRILL
from tests.incidents.conftest import alert, payload, receiver  # noqa: F401
from tests.sources.conftest import cluster_objects, kube_api, kubeconfig  # noqa: F401


def _client(store: Path, **settings) -> TestClient:
    defaults = {"source": "bundle", "bundle": str(OOM_DRILL), "store": str(store), "kube_context": "down",
                "timeout_s": 1.0}  # fmt: skip
    return TestClient(create_app(Settings(**(defaults | settings))))


def _group(n: int) -> dict:
    return payload(groupKey=f'{{}}:{{alertname="KubePodCrashLooping", n="{n}"}}')


@pytest.fixture
def client(kubeconfig, tmp_path) -> Iterator[TestClient]:  # noqa: F811
    """The app with a store in tmp_path and a Kubernetes API that does not answer (context `down`)."""
    with _client(tmp_path / "store") as client:
        yield client


def test_a_notification_is_accepted_at_once_and_its_incident_recorded(client, tmp_path):
    answer = client.post("/alerts", json=payload())
    assert answer.status_code == 202
    assert answer.json()["queued"] is True
    assert client.app.state.alerts.wait_idle(timeout=60)
    [record] = IncidentStore(str(tmp_path / "store")).incidents()
    assert record["alert"] == "KubePodCrashLooping" and record["missing_evidence"][0].startswith("capture: ")


def test_repeats_and_retries_of_a_group_make_one_incident(client, tmp_path):
    for _ in range(5):
        assert client.post("/alerts", json=payload()).status_code == 202
    assert client.app.state.alerts.wait_idle(timeout=60)
    assert client.post("/alerts", json=payload()).status_code == 202
    assert client.app.state.alerts.wait_idle(timeout=60)
    assert len(IncidentStore(str(tmp_path / "store")).incidents()) == 1


def test_a_group_of_many_alerts_is_over_ask_s_body_limit_and_accepted(client):
    many = payload(alerts=[alert(fingerprint=f"{n:016x}") for n in range(60)])
    assert client.post("/alerts", json=many).status_code == 202
    assert client.post("/ask", json={"namespace": "default", "pod_name": "x" * 5000}).status_code == 413


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        (payload(alerts=[alert(startsAt="soon")]), ["body", "alerts", 0, "startsAt"], "not an RFC 3339 time"),
        (payload(version="3"), ["body", "version"], "expected '4' (Alertmanager's webhook), got '3'"),
        (payload(groupKey=None), ["body", "groupKey"], "expected a string"),
    ],
)
def test_a_malformed_payload_is_422_naming_the_field(client, body, loc, msg):
    answer = client.post("/alerts", json=body)
    assert answer.status_code == 422
    assert answer.json() == {"detail": [{"type": "alert_payload", "loc": loc, "msg": msg}]}


def test_a_body_that_is_not_json_is_422(client):
    answer = client.post("/alerts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body"]


def test_a_full_queue_answers_503_so_alertmanager_retries_and_the_retry_is_recorded(
    kubeconfig,  # noqa: F811
    kube_api,  # noqa: F811
    tmp_path,
):
    kube_api.faults.delay["pods"] = 1.5  # each capture waits on the API: the one worker stays busy
    with _client(tmp_path / "store", kube_context="lab", alert_workers=1, alert_queue=1) as client:
        queue = client.app.state.alerts
        assert client.post("/alerts", json=_group(1)).status_code == 202
        deadline = time.monotonic() + 10
        while queue.counts() != (0, 1) and time.monotonic() < deadline:  # the worker has taken group 1
            time.sleep(0.01)
        assert client.post("/alerts", json=_group(2)).status_code == 202  # waits
        assert client.post("/alerts", json=_group(2)).status_code == 202  # the same group: replaces it
        refused = client.post("/alerts", json=_group(3))
        assert refused.status_code == 503
        assert refused.json() == {"detail": "1 alert groups are waiting already: try again later"}
        assert queue.wait_idle(timeout=120)
        assert client.post("/alerts", json=_group(3)).status_code == 202  # Alertmanager's retry
        assert queue.wait_idle(timeout=120)
    assert len(IncidentStore(str(tmp_path / "store")).incidents()) == 3


def test_a_store_that_cannot_be_written_is_not_ready_from_the_start_and_refuses_alerts(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    api = start_api(tmp_path, INCIDENT_BUNDLE=str(OOM_DRILL), INCIDENT_STORE=str(tmp_path / "file" / "store"))
    try:
        ready = httpx.get(f"{api.url}/ready")
        assert ready.status_code == 503
        check = ready.json()["checks"]["incident_store"]
        assert not check["ok"] and check["detail"].startswith(
            f"incident store {tmp_path / 'file' / 'store'} is not writable"
        )
        assert ready.json()["checks"]["bundle"]["ok"]
        refused = httpx.post(f"{api.url}/alerts", json=payload())
        assert refused.status_code == 503 and "is not writable" in refused.json()["detail"]
    finally:
        api.stop()


def test_the_api_process_records_the_incident_and_tells_a_receiver(tmp_path, receiver):  # noqa: F811
    store = tmp_path / "store"
    env = {"INCIDENT_NOTIFY_URLS": receiver.url, "KUBECONFIG": str(tmp_path / "no-kubeconfig")}
    api = start_api(tmp_path, INCIDENT_BUNDLE=str(OOM_DRILL), INCIDENT_STORE=str(store), **env)
    try:
        assert httpx.get(f"{api.url}/ready").json()["checks"]["incident_store"]["ok"]
        assert httpx.post(f"{api.url}/alerts", json=payload()).status_code == 202
        deadline = time.monotonic() + 60
        while not receiver.bodies and time.monotonic() < deadline:
            time.sleep(0.1)
        [record] = IncidentStore(str(store)).incidents()
        assert [n["delivered"] for n in record["notifications"]] == [True]
        assert receiver.bodies[0]["title"] == "[FIRING] KubePodCrashLooping: not diagnosed (default)"
        assert receiver.url.split("://")[1] not in api.log.read_text()
    finally:
        api.stop()
