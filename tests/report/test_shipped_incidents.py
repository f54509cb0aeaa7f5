"""The shipped incidents the demo, notebooks and postmortems run on: each says what incidents/README.md
says, holds catalogue queries only, and is exactly what its reconstruction script writes."""

from __future__ import annotations

import json
import sys

import pytest

from incident_lib.diagnose import diagnose_all
from incident_lib.metrics.catalogue import promql
from incident_lib.metrics.frames import response_frame
from incident_lib.sources.bundle import read_bundle
from tests.helpers import ROOT

INCIDENTS = ROOT / "incidents"
# bundle -> the first finding of `diagnose --all`: (kind, namespace, name, root cause), as the README says
FIRST_FINDING = {
    "oom-drill": ("Pod", "default", "oom-test-7f77d89c59-vqgkt", "oom_killed"),
    "crash-loop": ("Pod", "default", "crashloop-test-5d8f9c7b6d-w4k2x", "crash_loop"),
    "bad-service": ("Service", "default", "bad-service", "service_no_endpoints"),
    "latency": ("Service", "apps", "payments-service", "fault_injection"),
}


@pytest.mark.parametrize("bundle", sorted(FIRST_FINDING))
def test_the_first_finding_is_the_one_the_readme_names(bundle):
    first = next(d for d in diagnose_all(read_bundle(INCIDENTS / bundle)) if d.is_finding)
    s = first.subject
    assert (s.kind, s.namespace, s.name, first.root_cause) == FIRST_FINDING[bundle]
    assert f"`{bundle}/`" in (INCIDENTS / "README.md").read_text()


def test_the_latency_drills_virtual_service_is_the_cause_of_payments_then_backend_api_being_slow():
    snapshot = read_bundle(INCIDENTS / "latency")
    findings = [d for d in diagnose_all(snapshot) if d.is_finding]
    assert [(d.subject.name, d.root_cause, d.other_causes[:1]) for d in findings] == [
        ("payments-service", "fault_injection", (("high_latency", 0.78),)),
        ("backend-api", "high_latency", ()),
    ]
    payments, backend = (min(e.at for e in d.evidence if e.at and e.source == "prometheus") for d in findings)
    assert payments < backend
    change = next(e for e in findings[0].evidence if e.source == "change")
    assert (change.field, change.at) == ("VirtualService/payments-service created", "2025-12-17T10:40:00Z")
    assert findings[1].summary.endswith(
        "First cause in time: VirtualService/payments-service created at 2025-12-17T10:40:00Z (fault: delay "
        "1500ms on 100% of requests to payments-service.apps.svc.cluster.local), behind service "
        "payments-service fault_injection."
    )
    for profile in ("http", "istio"):
        assert snapshot.metric(f"{profile}_latency_p99", "apps") is not None
    metrics = [e.field for e in findings[0].evidence if e.source == "prometheus"]
    assert metrics and all(field.startswith("istio_") for field in metrics)


def test_the_injected_delay_shows_where_callers_measure_it_not_in_payments_own_metrics():
    # Istio delays in the caller's sidecar: payments' handlers stay fast, its callers and backend-api wait
    snapshot = read_bundle(INCIDENTS / "latency")

    def first_over(profile: str, service: str) -> str | None:
        frame = response_frame(snapshot.metric(f"{profile}_latency_p99", "apps"))
        label = "destination_service_name" if profile == "istio" else "service"
        over = frame[(frame[label] == service) & (frame["value"] > 1.0)]
        return None if over.empty else over["timestamp"].iloc[0].strftime("%H:%M:%S")

    assert first_over("http", "payments-service") is None
    assert first_over("istio", "payments-service") == "10:40:15"
    assert first_over("http", "backend-api") == first_over("istio", "backend-api") == "10:41:45"
    assert first_over("http", "orders-service") is first_over("istio", "users-service") is None


def test_every_metric_file_is_named_signal_dot_namespace_and_holds_the_catalogue_query():
    files = sorted(INCIDENTS.glob("*/metrics/*.json"))
    assert {f.parts[-3] for f in files} == set(FIRST_FINDING)
    for file in files:
        signal, namespace = file.stem.split(".")
        assert json.loads(file.read_text())["query"] == promql(signal, namespace), file


def test_the_drill_bundles_are_exactly_what_reconstruct_drills_writes(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(INCIDENTS))
    import reconstruct_drills

    for name, write in (
        ("crash-loop", reconstruct_drills.crash_loop),
        ("bad-service", reconstruct_drills.bad_service_bundle),
        ("latency", reconstruct_drills.latency_bundle),
    ):
        write(tmp_path / name)
        written = {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*.*")}
        shipped = {p.relative_to(INCIDENTS / name): p.read_bytes() for p in (INCIDENTS / name).rglob("*.*")}
        assert written.keys() == shipped.keys(), name
        assert [p for p in written if written[p] != shipped[p]] == [], name
        manifest = json.loads((tmp_path / name / "manifest.json").read_text())
        assert manifest["notes"].startswith("Reconstructed, not captured")
    sys.modules.pop("reconstruct_drills", None)
    sys.modules.pop("reconstruct", None)
