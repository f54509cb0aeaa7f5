"""The runbook's checks on bundles: passes, failures with their remedy, and skips without URLs."""

from __future__ import annotations

import copy
import json

from incident_lib.checks.runbook import run_runbook
from incident_lib.sources.bundle import read_bundle
from tests.helpers import cli, write_bundle
from tests.notebooks.test_diagnose_notebook import checked_outputs
from tests.servers.prometheus import free_port


def crash_looping_calico(objects: list[dict]) -> list[dict]:
    """The shipped cluster with one calico-node pod failing its liveness probe in CrashLoopBackOff."""
    objects = copy.deepcopy(objects)
    pod = next(o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"].startswith("calico-node-"))
    [status] = pod["status"]["containerStatuses"]
    status.update(
        ready=False,
        restartCount=9,
        state={
            "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}
        },
        lastState={"terminated": {"exitCode": 137, "reason": "Error", "finishedAt": "2025-12-17T10:04:10Z"}},
    )
    return objects


def result(report, name: str):
    return next(r for r in report.results if r.name == name)


def with_one_destination_rule(objects: list[dict]) -> list[dict]:
    """The shipped cluster with Istio captured: one DestinationRule, no PeerAuthentication."""
    rule = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": {"name": "backend-api", "namespace": "apps"},
        "spec": {"host": "backend-api"},
    }
    return [*objects, rule]


def test_the_shipped_bundle_passes_cluster_services_and_drill_and_leaves_uncaptured_istio_unchecked(
    oom_drill,
):
    report = run_runbook(oom_drill)
    assert result(report, "calico-node 1/1 Running on every node").status == "pass"
    assert (
        result(report, "OOM drill diagnosed as oom_killed").actual == "oom-test-7f77d89c59-vqgkt: oom_killed"
    )
    assert result(report, "memory limits at or under 300Mi").status == "pass"
    istio = [r for r in report.results if r.section == "istio"]
    assert [r.status for r in istio] == ["not checked"] * 3  # no Istio object at all: neither pass nor fail
    assert istio[0].actual.startswith("not checked: no Istio object in the snapshot")
    assert not any(f["subject"]["name"].startswith("istio/") for f in report.findings())
    assert result(report, "/health").status == "skipped"


def test_with_istio_captured_an_absent_strict_mtls_fails(tmp_path, oom_drill):
    report = run_runbook(
        read_bundle(write_bundle(tmp_path / "b", with_one_destination_rule(oom_drill.objects)))
    )
    mtls = result(report, "STRICT mTLS")
    assert mtls.status == "fail"
    assert mtls.actual == "no STRICT PeerAuthentication (not captured or absent)"


def test_a_crash_looping_calico_node_fails_with_the_felix_healthhost_fix(tmp_path, oom_drill):
    bundle = write_bundle(tmp_path / "calico", crash_looping_calico(oom_drill.objects))
    report = run_runbook(read_bundle(bundle))
    calico = result(report, "calico-node 1/1 Running on every node")
    assert calico.status == "fail"
    assert "2/3 1/1 Running" in calico.actual and "CrashLoopBackOff, 9 restarts" in calico.actual
    assert "FELIX_HEALTHHOST=127.0.0.1" in calico.on_failure and "localhost" in calico.on_failure
    assert "FELIX_HEALTHHOST=127.0.0.1" in report.advice()
    assert "FAIL" in next(line for line in report.text().splitlines() if "calico-node" in line)


TARGETS = {
    "status": "success",
    "data": {
        "activeTargets": [
            {"health": "up", "labels": {"job": "apps"}, "scrapeUrl": "http://10.0.0.7:8080/metrics"},
            {"health": "down", "labels": {"job": "x"}, "scrapeUrl": "http://10.0.0.9:8080/metrics"},
        ],
        "droppedTargets": [],
    },
}


def test_url_checks_ask_the_servers_given(oom_drill, canned_server, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TOKEN", "s3cret")
    prometheus = canned_server({"/api/v1/targets?state=active": (200, TARGETS)})
    diagnostics = canned_server(
        {"/health": (200, {"status": "ok"}), "/ready": (503, {"status": "not ready"})}
    )
    report = run_runbook(oom_drill, prometheus.url, "", diagnostics.url)
    targets = result(report, "Prometheus targets up")
    assert targets.status == "fail"
    assert targets.actual == "1/2 up (down: x http://10.0.0.9:8080/metrics)"
    # through the project's Prometheus client: its credentials from the environment go along
    [(_, headers)] = prometheus.requests
    assert headers["Authorization"] == "Bearer s3cret"
    assert result(report, "/health").status == "pass" and result(report, "/ready").actual == "HTTP 503"
    assert result(report, "Grafana reachable").status == "skipped"


def test_url_checks_fail_when_nothing_or_a_refusal_answers(oom_drill, canned_server):
    refusing = canned_server({"/api/v1/targets?state=active": (401, {"error": "unauthorized"})})
    nothing = f"http://127.0.0.1:{free_port()}"
    report = run_runbook(oom_drill, refusing.url, nothing, "")
    assert result(report, "Prometheus targets up").actual == "/api/v1/targets: HTTP 401: unauthorized"
    grafana = result(report, "Grafana reachable")
    assert grafana.status == "fail" and grafana.actual.startswith("unreachable:")
    report = run_runbook(oom_drill, nothing)
    assert result(report, "Prometheus targets up").actual == (
        "/api/v1/targets: cannot connect (connection refused)"
    )


def test_failed_checks_are_findings_critical_unless_advisory(tmp_path, oom_drill):
    without_drill = [
        o
        for o in with_one_destination_rule(oom_drill.objects)
        if (o["metadata"].get("labels") or {}).get("app") != "oom-test"
    ]
    report = run_runbook(read_bundle(write_bundle(tmp_path / "no-drill", without_drill)))
    findings = report.findings()
    by_check = {f["subject"]["name"]: f for f in findings}
    assert len(findings) == len(report.failures) > 1
    # the drill checks the tooling, not the platform: advisory, a warning; Istio mTLS absent is critical
    assert by_check["failure-drill/oom-drill-diagnosed-as-oom-killed"]["severity"] == "warning"
    mtls = by_check["istio/strict-mtls"]
    assert mtls["severity"] == "critical" and mtls["root_cause"] == "runbook_check_failed"
    assert mtls["confidence"] == 0.99
    assert mtls["evidence"][0]["value"].startswith("no STRICT PeerAuthentication")
    assert mtls["recommendations"][0]["command"] == "kubectl get peerauthentication -n apps -o yaml"
    assert mtls["recommendations"][0]["evidence"] == ["e1"]
    assert [f["severity"] for f in findings][-1] == "warning"  # critical ones first
    assert "cluster-health/all-nodes-ready" not in by_check  # passed checks are not findings


def test_run_runbook_fails_on_a_critical_check_and_reports_it(tmp_path, oom_drill):
    bundle = write_bundle(tmp_path / "calico", crash_looping_calico(oom_drill.objects))
    command = ["run", "notebooks/runbook.ipynb", "-p", "source", str(bundle), "--out", str(tmp_path / "out")]
    result = cli(*command, "--fail-on", "critical")
    assert result.returncode == 1, result.stderr
    [folder] = (tmp_path / "out" / "runbook").iterdir()
    table = checked_outputs(folder / "runbook.ipynb")
    line = next(line for line in table.splitlines() if "calico-node 1/1 Running" in line)
    assert "FAIL" in line and "CrashLoopBackOff" in line
    assert "FELIX_HEALTHHOST=127.0.0.1" in (folder / "runbook.html").read_text()
    findings = json.loads((folder / "findings.json").read_text())["findings"]
    calico = next(f for f in findings if f["subject"]["name"].startswith("cluster-health/calico-node"))
    assert calico["severity"] == "critical" and "FELIX_HEALTHHOST" in calico["recommendations"][0]["action"]
