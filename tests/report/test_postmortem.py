"""The postmortem draft: SRE sections, numbers from the data, and honesty about what is missing."""

from __future__ import annotations

import copy

import pytest

from incident_lib.classify.diagnosis import Diagnosis, Subject
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.diagnose import diagnose_all
from incident_lib.errors import InputError
from incident_lib.k8s.objects import parse_time
from incident_lib.report.metric_plots import traffic_figure
from incident_lib.report.postmortem import draft_postmortem, markdown, read_incident
from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle
from tests.helpers import ROOT

START = 1765965300  # 2025-12-17T09:55:00Z


def series(signal: str, values: list[float]) -> dict:
    """A Prometheus range response of one service's `signal` in `apps`, one sample per 15s step."""
    return {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"namespace": "apps", "service": "payments-service"},
                    "values": [[START + 15 * i, str(v)] for i, v in enumerate(values)],
                }
            ],
        },
        "query": f"<{signal} query>",
        "start": "2025-12-17T09:55:00Z",
        "end": "2025-12-17T09:55:45Z",
        "step": "15s",
    }


def latency_diagnosis() -> Diagnosis:
    evidence = Evidence("prometheus", "http_latency_p99", "1.52s", 0.8, "2025-12-17T09:55:30Z", "<p99 query>")
    return Diagnosis(
        subject=Subject("Service", "apps", "payments-service"),
        root_cause="high_latency",
        confidence=0.8,
        severity="warning",
        summary="payments-service p99 latency is 1.52s, over the 1s SLO.",
        evidence=(evidence,),
        recommendations=(
            Recommendation("Set a timeout on the slow route", "p99 over SLO", (evidence,), "kubectl patch …"),
            Recommendation("Find the slow dependency", "p99 over SLO", (evidence,), "kubectl get …"),
        ),
        rule="services.high_latency/1",
    )


def traffic_snapshot() -> Snapshot:
    return Snapshot(
        captured_at=parse_time("2025-12-17T10:00:00Z"),
        objects=[],
        metrics={
            "http_request_rate.apps": series("rate", [10, 10, 10, 10]),
            "http_error_ratio.apps": series("errors", [0.5, 0.5, 0.5, 0.5]),
            "http_latency_p50.apps": series("p50", [0.1, 0.1, 0.2, 0.1]),
            "http_latency_p95.apps": series("p95", [0.4, 0.9, 1.2, 0.5]),
            "http_latency_p99.apps": series("p99", [0.5, 1.5, 1.6, 0.7]),
        },
        manifest={"notes": "Reconstructed for a test."},
    )


def test_impact_counts_requests_errors_and_the_error_budget_burnt_from_traffic_metrics():
    draft = draft_postmortem(traffic_snapshot(), [latency_diagnosis()])
    impact = {f.label: f.value for f in draft.impact}
    assert impact["requests in the window"] == "600"  # 10/s over 4 steps of 15s
    assert impact["5xx responses"] == "300 (50.00% of requests)"
    # 300 bad / (0.1% of 10/s over 30 days = 25,920 allowed) = 1.2% of the month's budget
    assert impact["error budget burnt (99.9% over 30 days)"] == "1.2%"


def test_latency_crossings_of_the_slo_are_timeline_rows_with_their_query():
    draft = draft_postmortem(traffic_snapshot(), [latency_diagnosis()])
    crossings = [e for e in draft.timeline if "p99 latency" in e.what]
    assert [(e.at.strftime("%H:%M:%S"), e.what) for e in crossings] == [
        ("09:55:15", "p99 latency rose above 1s (1.5s)"),
        ("09:55:45", "p99 latency back under 1s (0.7s)"),
    ]
    assert crossings[0].lookup.startswith("<p99 query>")


def test_without_traffic_metrics_the_budget_says_it_is_not_available():
    snapshot = Snapshot(captured_at=parse_time("2025-12-17T10:00:00Z"), objects=[])
    impact = {f.label: f.value for f in draft_postmortem(snapshot, [latency_diagnosis()]).impact}
    assert impact["error budget burnt"].startswith("not available")


def test_the_markdown_has_every_section_of_the_sre_template_in_order():
    text = markdown(draft_postmortem(traffic_snapshot(), [latency_diagnosis()], figures={"p99.png": "p99"}))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary",
        "## Impact",
        "## Root cause and trigger",
        "## Detection",
        "## Resolution",
        "## Timeline (UTC)",
        "## Graphs",
        "## Action items",
        "## Lessons learned",
        "## About the data",
    ]
    assert "| e1 | prometheus | `http_latency_p99` | 1.52s |" in text
    assert "| type | priority | action | why | command | owner | ticket |" in text
    assert "| mitigate | P2 | Set a timeout on the slow route |" in text and "| prevent | P3 |" in text
    assert "- Find the slow dependency: `kubectl get …`" in text  # a step of the investigation
    assert "| mitigate | P2 | Find" not in text
    assert "![p99](p99.png)" in text


def test_a_bundle_without_findings_gives_a_short_honest_draft():
    snapshot = Snapshot(captured_at=parse_time("2025-12-17T10:00:00Z"), objects=[])
    draft = draft_postmortem(snapshot, [])
    assert draft.title == "no finding in this bundle" and draft.action_items == () and draft.timeline == ()


def test_traffic_figures_draw_the_slo_and_say_when_a_signal_is_missing():
    latency = traffic_figure(traffic_snapshot(), "latency", "apps", slo_seconds=1.0)
    [ax] = [a for a in latency.axes if a.get_visible() and a.lines]
    assert {line.get_label() for line in ax.lines} >= {"p50", "p95", "p99", "SLO p99 1s"}
    empty = Snapshot(captured_at=parse_time("2025-12-17T10:00:00Z"), objects=[])
    [missing] = traffic_figure(empty, "error_ratio", "apps").axes
    assert "no istio_error_ratio or http_error_ratio of namespace apps" in missing.texts[0].get_text()


def test_the_trigger_is_the_change_the_root_cause_names_and_how_long_before_the_first_warning():
    latency = read_bundle(ROOT / "incidents" / "latency")
    draft = draft_postmortem(latency, diagnose_all(latency))
    assert draft.title == "fault_injection causing high_latency on Service apps/payments-service"
    assert draft.trigger.startswith(
        "VirtualService/payments-service created (fault: delay 1500ms on 100% of requests to "
        "payments-service.apps.svc.cluster.local), at 2025-12-17T10:40:00Z; the first warning followed 15s "
        "later (service apps/payments-service: p99 latency rose above 1s (2.2s))."
    )
    assert "No change is recorded" not in markdown(draft)


def test_without_a_change_the_root_cause_names_the_trigger_is_the_last_change_before_the_first_warning(
    oom_drill,
):
    draft = draft_postmortem(oom_drill, diagnose_all(oom_drill))
    assert draft.trigger.startswith(
        "Deployment default/oom-test created: image polinux/stress:1.0.4, at 2025-12-17T09:55:00Z; the "
        "first warning followed 1m00s later"
    )


def test_an_incident_whose_only_row_is_a_change_has_a_timeline_and_a_trigger():
    bad_service = read_bundle(ROOT / "incidents" / "bad-service")
    draft = draft_postmortem(bad_service, diagnose_all(bad_service))
    text = markdown(draft)
    assert "_Nothing in scope._" not in text
    assert "| Service default/bad-service | created: selects app=no-such-app |" in text
    assert draft.trigger.startswith("Service default/bad-service created: selects app=no-such-app, at ")


def oom_alert_record(status: str = "resolved") -> dict:
    """The incident record an OOM alert on the drill's pod opens (as `incident_lib.incidents.record`
    writes it), resolved 15 minutes after the capture."""
    pod = "oom-test-7f77d89c59-vqgkt"
    return {
        "format": "incident/v1",
        "id": "20251217T095730Z-3f2a9c1b0d",
        "alert": "ContainerOOMKilled",
        "status": status,
        "started_at": "2025-12-17T09:57:30Z",
        "resolved_at": "2025-12-17T10:20:00Z" if status == "resolved" else None,
        "diagnosed_at": "2025-12-17T09:57:34Z",
        "alerts": [
            {
                "fingerprint": "5f1c",
                "name": "ContainerOOMKilled",
                "status": status,
                "starts_at": "2025-12-17T09:57:30Z",
                "ends_at": "2025-12-17T10:20:00Z" if status == "resolved" else None,
                "labels": {"severity": "critical", "namespace": "default", "pod": pod, "container": "app"},
                "generator_url": "http://prometheus:9090/graph?g0.expr=oom",
                "subjects": [{"kind": "Pod", "namespace": "default", "name": pod}],
            }
        ],
    }


def test_detection_names_the_alert_the_time_to_detect_the_diagnosis_and_the_resolution(oom_drill):
    draft = draft_postmortem(oom_drill, diagnose_all(oom_drill), incident=oom_alert_record())
    assert draft.detection.splitlines()[:4] == [
        "- Alert **ContainerOOMKilled** fired at 2025-12-17T09:57:30Z (startsAt) on Pod "
        "default/oom-test-7f77d89c59-vqgkt.",
        "- Time to detect: 1m30s, from the first symptom in the bundle "
        "(Pod default/oom-test-7f77d89c59-vqgkt: container app memory working set 254.7Mi reached 90% "
        "of its 256Mi limit, at 2025-12-17T09:56:00Z) to the alert.",
        "- Diagnosis written at 2025-12-17T09:57:34Z, 4s after the alert.",
        "- Resolved at 2025-12-17T10:20:00Z (the alert's endsAt).",
    ]
    # the shipped drill was reconstructed without alert series: the replay says so rather than guess
    assert "Alert replay: not checked (the bundle holds no alert series)." in draft.detection
    header = dict(draft.header)
    assert header["incident window"] == "2025-12-17T09:56:00Z to 2025-12-17T10:20:00Z"
    assert header["incident"] == "20251217T095730Z-3f2a9c1b0d opened by alert ContainerOOMKilled"
    assert header["rule versions"] == "deployments.replicas_unavailable/1, pods.oom_killed/1"
    assert not any(a.action.startswith("No alert opened") for a in draft.action_items)


def test_the_alert_firing_and_its_resolution_are_timeline_rows(oom_drill):
    draft = draft_postmortem(oom_drill, diagnose_all(oom_drill), incident=oom_alert_record())
    rows = [(e.at.strftime("%H:%M:%S"), e.what, e.lookup) for e in draft.timeline if e.source == "alert"]
    assert rows == [
        (
            "09:57:30",
            "alert ContainerOOMKilled firing (severity critical)",
            "http://prometheus:9090/graph?g0.expr=oom",
        ),
        ("10:20:00", "alert ContainerOOMKilled resolved", "http://prometheus:9090/graph?g0.expr=oom"),
    ]
    firing = draft_postmortem(oom_drill, diagnose_all(oom_drill), incident=oom_alert_record("firing"))
    assert [e.what for e in firing.timeline if e.source == "alert"] == [
        "alert ContainerOOMKilled firing (severity critical)"
    ]
    assert "- Not resolved when this draft was written: the alert was still firing." in firing.detection


def test_without_an_alert_the_draft_says_it_was_found_by_hand_and_asks_for_one(oom_drill):
    draft = draft_postmortem(oom_drill, diagnose_all(oom_drill))
    assert draft.detection.startswith(
        "Found by hand: no alert opened this incident.\n\nCould have been detected at"
    )
    assert dict(draft.header)["incident"] == "found by hand: no alert record"
    assert any(a.kind == "process" and a.action.startswith("No alert opened") for a in draft.action_items)


def test_action_items_carry_a_priority_from_the_severity_and_no_investigation_step_or_duplicate():
    crash = read_bundle(ROOT / "incidents" / "crash-loop")
    draft = draft_postmortem(crash, diagnose_all(crash))
    assert [(a.kind, a.priority) for a in draft.action_items] == [
        ("mitigate", "P1"),  # critical; the rules proposed only checks, so the fix is to decide
        ("prevent", "P2"),
        ("process", "P3"),
        ("process", "P3"),
    ]
    logs = [a for a in draft.investigation if a.command.startswith("kubectl logs")]
    assert len(logs) == 1  # two recommendations read the same previous log (50 and 100 lines of it)
    oom = read_bundle(ROOT / "incidents" / "oom-drill")
    [mitigate] = [a for a in draft_postmortem(oom, diagnose_all(oom)).action_items if a.kind == "mitigate"]
    assert mitigate.action.startswith("Raise the memory limit of app")


def test_the_owner_is_the_team_label_of_the_workload(oom_drill):
    labelled = copy.deepcopy(oom_drill.objects)
    for obj in labelled:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] == "oom-test":
            obj["metadata"].setdefault("labels", {})["team"] = "payments"
    snapshot = Snapshot(
        oom_drill.captured_at, labelled, oom_drill.metrics, oom_drill.logs, oom_drill.manifest
    )
    items = draft_postmortem(snapshot, diagnose_all(snapshot)).action_items
    assert {a.kind: a.owner for a in items} == {"mitigate": "payments", "prevent": "payments", "process": ""}


def test_a_file_that_is_not_an_incident_record_is_a_one_line_error(tmp_path):
    (tmp_path / "incident.json").write_text('{"format": "incident-bundle/v1"}')
    with pytest.raises(InputError, match=r"not an incident record \(format incident/v1\)"):
        read_incident(tmp_path / "incident.json")
