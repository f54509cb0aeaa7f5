"""The postmortem draft: SRE sections, numbers from the data, and honesty about what is missing."""

from __future__ import annotations

from incident_lib.classify.diagnosis import Diagnosis, Subject
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.diagnose import diagnose_all
from incident_lib.k8s.objects import parse_time
from incident_lib.report.metric_plots import traffic_figure
from incident_lib.report.postmortem import draft_postmortem, markdown
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
            Recommendation("Find the slow dependency", "p99 over SLO", (evidence,), "kubectl …"),
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
    assert "| mitigate | Find the slow dependency |" in text and "| prevent |" in text
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
