"""The `incident-lab` command as users run it: a real process, its output and its exit code."""

from __future__ import annotations

import json

import pytest

from tests.helpers import OOM_DRILL, cli, write_bundle

OOM = ["-n", "default", "--pod", "oom-test-7f77d89c59-vqgkt"]


def test_diagnose_prints_the_design_json_for_one_pod():
    result = cli("diagnose", "--bundle", str(OOM_DRILL), *OOM, "--format", "json")
    assert result.returncode == 0, result.stderr
    [diagnosis] = json.loads(result.stdout)
    assert diagnosis["subject"] == {
        "kind": "Pod",
        "namespace": "default",
        "name": "oom-test-7f77d89c59-vqgkt",
    }
    assert diagnosis["root_cause"] == "oom_killed" and diagnosis["rule"] == "pods.oom_killed/1"
    ids = {e["id"] for e in diagnosis["evidence"]}
    assert all(set(r["evidence"]) <= ids and r["evidence"] for r in diagnosis["recommendations"])
    assert diagnosis["evidence"][0]["field"] == "containerStatuses[app].lastState.terminated.reason"


def test_all_lists_findings_first_in_the_same_order_every_run():
    first, second = (
        cli("diagnose", "--bundle", str(OOM_DRILL), "--all", "--format", "json") for _ in range(2)
    )
    assert first.stdout == second.stdout
    diagnoses = json.loads(first.stdout)
    assert [(d["subject"]["kind"], d["root_cause"]) for d in diagnoses[:2]] == [
        ("Pod", "oom_killed"),
        ("Deployment", "replicas_unavailable"),
    ]
    assert diagnoses[1]["evidence"][-1]["field"] == "Pod/oom-test-7f77d89c59-vqgkt"
    assert {d["root_cause"] for d in diagnoses[2:]} == {"healthy"}
    assert {d["subject"]["kind"] for d in diagnoses} >= {"Pod", "Service", "Deployment", "DaemonSet", "Node"}


def test_the_default_table_shows_findings_and_a_count_in_120_columns_and_all_adds_the_healthy():
    result = cli("diagnose", "--bundle", str(OOM_DRILL))
    summary, blank, header, *rows = result.stdout.splitlines()
    assert summary == "2 findings: 2 critical; 52 healthy subjects (--all lists them)"
    assert (blank, header.split()[:3]) == ("", ["NAMESPACE", "KIND", "NAME"])
    assert [row.split()[3] for row in rows] == ["oom_killed", "replicas_unavailable"]
    assert max(len(line) for line in result.stdout.splitlines()) <= 120
    everything = cli("diagnose", "--bundle", str(OOM_DRILL), "--all").stdout.splitlines()
    assert everything[0] == "2 findings: 2 critical; 52 healthy subjects"
    assert len(everything) == 3 + 54


def test_fail_on_says_why_it_exits_1():
    result = cli("diagnose", "--bundle", str(OOM_DRILL), "--fail-on", "critical")
    assert result.returncode == 1
    assert result.stderr == (
        "incident-lab: 2 findings at or above --fail-on critical, "
        "first Pod default/oom-test-7f77d89c59-vqgkt: oom_killed\n"
    )


def test_markdown_has_a_section_with_evidence_for_each_finding():
    result = cli("diagnose", "--bundle", str(OOM_DRILL), "-n", "default", "--format", "markdown")
    assert "## Pod default/oom-test-7f77d89c59-vqgkt: `oom_killed`" in result.stdout
    assert "| e1 | pod.status |" in result.stdout


def test_fail_on_exits_1_when_a_finding_is_that_severe_and_0_otherwise():
    assert cli("diagnose", "--bundle", str(OOM_DRILL), "--fail-on", "critical").returncode == 1
    assert cli("diagnose", "--bundle", str(OOM_DRILL), "-n", "apps", "--fail-on", "warning").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bundle", "no/such/bundle"], "bundle not found: no/such/bundle"),
        (
            ["--bundle", str(OOM_DRILL), "-n", "defualt"],
            "namespace 'defualt' not found; did you mean default?",
        ),
        (
            ["--bundle", str(OOM_DRILL), "-n", "default", "--pod", "oom-test"],
            "pod in namespace default 'oom-test' not found; did you mean oom-test-7f77d89c59-vqgkt?",
        ),
        (["--bundle", str(OOM_DRILL), "-n", 'x"} or vector(1)'], "invalid namespace name"),
    ],
    ids=["missing-path", "unknown-namespace", "unknown-pod", "hostile-name"],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args, message):
    result = cli("diagnose", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_a_malformed_file_is_named(tmp_path):
    root = write_bundle(tmp_path / "b", [])
    (root / "k8s" / "events.json").write_text("{not json")
    result = cli("diagnose", "--bundle", str(root))
    assert result.returncode == 2
    assert result.stderr.startswith("incident-lab: error: k8s/events.json: malformed JSON")


def test_an_unreadable_archive_is_named(tmp_path):
    archive = tmp_path / "incident.tar.gz"
    archive.write_bytes(b"\x1f\x8b broken")
    result = cli("diagnose", "--bundle", str(archive))
    assert result.returncode == 2
    assert f"{archive}: not a directory or a readable .tar.gz bundle" in result.stderr
