"""The lifecycle end to end over real parts: the Kubernetes API double, Debian's Prometheus with the
OOM drill's metrics, papermill running the notebooks, an HTTP receiver for notifications."""

from __future__ import annotations

import json
from pathlib import Path

from incident_lib.incidents.alerts import parse_notification
from incident_lib.incidents.notify import Notifier
from incident_lib.incidents.respond import Responder, respond
from incident_lib.incidents.store import IncidentStore
from incident_lib.k8s.objects import parse_time
from incident_lib.sources.bundle import read_bundle
from tests.incidents.conftest import OOM_POD, alert, payload, resolved

NOW = parse_time("2025-12-17T10:05:00Z")  # the end of the drill's metrics: the clock of these responses


def _responder(store: str, **changes) -> Responder:
    return Responder(store=IncidentStore(store), clock=lambda: NOW, **changes)


def _files(store: Path, record: dict) -> set[str]:
    return {
        p.relative_to(store / record["id"]).as_posix()
        for p in (store / record["id"]).rglob("*")
        if p.is_file()
    }


def test_an_alert_opens_an_incident_with_its_evidence_diagnosis_reports_and_a_message(
    kubeconfig, prometheus, receiver, tmp_path
):
    responder = _responder(
        str(tmp_path / "store"),
        prometheus_url=prometheus.url,
        notifier=Notifier((receiver.url,)),
        base_url="https://incidents.example",
    )
    record = respond(parse_notification(payload()), responder)

    assert (record["root_cause"], record["subject"]["name"], record["status"]) == (
        "oom_killed",
        OOM_POD,
        "firing",
    )
    files = _files(tmp_path / "store", record)
    bundle = read_bundle(tmp_path / "store" / record["id"] / "bundle")
    assert bundle.manifest["namespaces"] == ["default"]
    assert bundle.manifest["window"]["start"] == "2025-12-17T09:00:15Z"  # the first startsAt - 1h
    assert bundle.manifest["window"]["end"] == "2025-12-17T10:05:00Z"
    assert "bundle/metrics/memory_working_set.default.json" in files
    assert any(f.startswith("diagnose/") and f.endswith("diagnose.html") for f in files)
    assert any(f.startswith("postmortem/") and f.endswith("postmortem.md") for f in files)
    assert set(record["reports"]) <= files and record["bundle"] == "bundle"
    assert json.loads((tmp_path / "store" / record["id"] / "incident.json").read_text()) == record

    [received] = receiver.bodies
    postmortem = next(p for p in record["reports"] if p.endswith("postmortem.html"))
    assert f"Report: https://incidents.example/{record['id']}/{postmortem}" in received["message"]
    assert [n["delivered"] for n in record["notifications"]] == [True]

    # Alertmanager repeats the group (repeat_interval, or a retry): nothing is written or sent again
    assert respond(parse_notification(payload()), responder) == record
    assert len(receiver.bodies) == 1

    # resolution: closed with its end time, and people told once
    closed = respond(parse_notification(resolved(payload())), responder)
    assert (closed["id"], closed["status"], closed["resolved_at"]) == (
        record["id"],
        "resolved",
        "2025-12-17T10:20:00Z",
    )
    respond(parse_notification(resolved(payload())), responder)
    assert [b["title"].split("]")[0] for b in receiver.bodies] == ["[FIRING", "[RESOLVED"]
    assert len(IncidentStore(str(tmp_path / "store")).incidents()) == 1


def test_kubernetes_down_is_missing_evidence_and_the_incident_is_still_written(
    kubeconfig, monkeypatch, tmp_path
):
    store = str(tmp_path / "store")
    record = respond(parse_notification(payload()), _responder(store, kube_context="down", timeout_s=2))
    assert record["root_cause"] is None and record["bundle"] is None and record["reports"] == []
    [missing] = record["missing_evidence"]
    assert missing.startswith("capture: ")
    assert IncidentStore(store).read(record["id"]) == record


def test_an_alert_joining_the_group_is_added_to_its_incident(kubeconfig, tmp_path):
    responder = _responder(str(tmp_path / "store"), kube_context="down", timeout_s=2)
    first = respond(parse_notification(payload()), responder)
    joining = alert(fingerprint="77aa", startsAt="2025-12-17T10:02:00Z")
    joined = respond(parse_notification(payload(alerts=[*payload()["alerts"], joining])), responder)
    assert joined["id"] == first["id"]
    assert [a["fingerprint"] for a in joined["alerts"]] == ["5d8d1c6fa4b2e3a1", "77aa"]
    assert len(IncidentStore(str(tmp_path / "store")).incidents()) == 1


def test_an_alert_without_subject_labels_is_recorded_with_a_note_and_nothing_captured(kube_api, tmp_path):
    watchdog = payload(
        alerts=[alert(labels={"alertname": "Watchdog"})], groupLabels={"alertname": "Watchdog"}
    )
    record = respond(parse_notification(watchdog), _responder(str(tmp_path / "store")))
    assert record["alerts"][0]["notes"] == [
        "no subject labels (namespace, pod, service, deployment, node…): nothing to diagnose"
    ]
    assert record["missing_evidence"] == [
        "capture: the alerts name no namespace, workload or node: nothing captured"
    ]
    assert kube_api.requests == []


def test_a_notification_that_fails_is_recorded_and_the_incident_kept(kubeconfig, failing_receiver, tmp_path):
    notifier = Notifier((failing_receiver.url,), attempts=2, pause_s=0.01)
    responder = _responder(str(tmp_path / "store"), kube_context="down", timeout_s=2, notifier=notifier)
    record = respond(parse_notification(payload()), responder)
    assert record["notifications"] == [
        {
            "event": "opened",
            "target": "json #1",
            "delivered": False,
            "attempts": 2,
            "error": "not delivered after 2 attempts",
        }
    ]
    assert IncidentStore(str(tmp_path / "store")).read(record["id"]) == record


def test_an_incident_is_written_to_an_s3_store(kubeconfig, s3_store):
    record = respond(parse_notification(payload()), _responder(s3_store, kube_context="down", timeout_s=2))
    assert IncidentStore(s3_store).incidents() == [record]
