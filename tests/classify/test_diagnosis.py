"""Ranking findings into a diagnosis, and the diagnosis's JSON and HTML forms."""

from __future__ import annotations

from incident_lib.classify.diagnosis import Diagnosis, Subject, rank
from incident_lib.classify.evidence import Evidence, Finding, Recommendation

POD = Subject("Pod", "shop", "web-1")


def finding(root_cause: str, weight: float, severity: str = "critical", explains=()) -> Finding:
    evidence = (Evidence("pod.status", f"{root_cause}.field", "x", weight),)
    return Finding(
        root_cause, f"pods.{root_cause}/1", severity, root_cause, evidence, (), frozenset(explains)
    )


def test_a_cause_explained_by_another_ranks_after_it_even_when_more_confident():
    crash = finding("crash_loop", 0.9)
    oom = finding("oom_killed", 0.6, explains=("crash_loop",))
    assert [f.root_cause for f in rank([crash, oom])] == ["oom_killed", "crash_loop"]


def test_benign_and_fallback_findings_give_way_to_any_problem():
    ranked = rank(
        [finding("healthy", 0.9, "info"), finding("unknown", 0.3, "warning"), finding("evicted", 0.5)]
    )
    assert [f.root_cause for f in ranked] == ["evicted"]
    assert [f.root_cause for f in rank([finding("healthy", 0.9, "info")])] == ["healthy"]


def test_ties_break_on_severity_then_rule_id_so_the_order_is_stable():
    a, b = finding("crash_loop", 0.5, "warning"), finding("evicted", 0.5, "critical")
    assert (
        [f.root_cause for f in rank([a, b])]
        == [f.root_cause for f in rank([b, a])]
        == ["evicted", "crash_loop"]
    )


def test_the_json_form_names_evidence_by_id_and_recommendations_cite_those_ids():
    e1 = Evidence("pod.status", "status.reason", "Evicted", 0.9, lookup="kubectl get pod …")
    e2 = Evidence("event", "Pod/web-1 Warning Evicted", "low on memory", 0.1, at="2025-12-17T10:00:00Z")
    rec = Recommendation("Check the node", "it evicted the pod", (e2,), "kubectl describe node n1")
    diagnosis = Diagnosis.from_findings(
        POD, [Finding("evicted", "pods.evicted/1", "warning", "Evicted.", (e1, e2), (rec,))]
    )
    data = diagnosis.to_dict()
    assert [e["id"] for e in data["evidence"]] == ["e1", "e2"]
    assert data["recommendations"] == [
        {
            "action": "Check the node",
            "why": "it evicted the pod",
            "evidence": ["e2"],
            "command": "kubectl describe node n1",
        }
    ]
    assert data["confidence"] == 0.91 and data["other_causes"] == []


def test_the_html_card_escapes_what_the_cluster_wrote():
    evil = Evidence("pod.status", "status.message", "<script>alert(1)</script>", 0.5)
    diagnosis = Diagnosis.from_findings(
        POD, [Finding("pod_failed", "pods.pod_failed/1", "warning", "x", (evil,))]
    )
    html = diagnosis._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "pod_failed" in html
