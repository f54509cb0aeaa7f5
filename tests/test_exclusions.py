"""Exclusions on the shipped OOM drill: what a team silences is counted and listed, never dropped."""

from __future__ import annotations

import json

import pytest

from incident_lib.cli import main
from incident_lib.diagnose import diagnose_all
from incident_lib.errors import InputError
from incident_lib.exclusions import Exclusion, label_selector, load_config, parse_flag, select
from incident_lib.sources.bundle import read_bundle
from tests.helpers import OOM_DRILL

OOM_POD = "oom-test-7f77d89c59-vqgkt"


@pytest.fixture(scope="module")
def drill():
    snapshot = read_bundle(OOM_DRILL)
    return snapshot, diagnose_all(snapshot)


def finding_names(diagnoses) -> list[str]:
    return [d.subject.name for d in diagnoses if d.is_finding]


def test_an_exclusion_by_namespace_glob_lists_what_it_left_out(drill):
    snapshot, diagnoses = drill
    selection = select(diagnoses, snapshot, [Exclusion("drills", namespace="def*")], [])
    assert finding_names(selection.reported) == []
    assert [e.diagnosis.subject.name for e in selection.excluded if e.diagnosis.is_finding] == [
        OOM_POD,
        "oom-test",
    ]
    assert selection.summary() == "2 findings excluded (2 drills)"


def test_fields_are_anded_and_a_label_selector_reads_the_subjects_labels(drill):
    snapshot, diagnoses = drill
    oom_only = Exclusion("known", root_cause="oom_killed", labels="app=oom-test")
    assert finding_names(select(diagnoses, snapshot, [oom_only], []).reported) == ["oom-test"]
    other_team = Exclusion("not ours", root_cause="oom_killed", labels="app!=oom-test")
    assert finding_names(select(diagnoses, snapshot, [other_team], []).reported) == [OOM_POD, "oom-test"]


def test_an_exclusion_lapses_at_its_until_as_of_the_capture_time(drill, tmp_path):
    snapshot, diagnoses = drill  # captured at 2025-12-17T10:05:00Z
    config = tmp_path / ".incident-lab.yaml"
    config.write_text(
        "exclude:\n"
        "  - {namespace: default, reason: drill, until: 2025-12-17T10:00:00Z}\n"
        "  - {namespace: default, reason: drill, until: 2025-12-18}\n"
    )
    lapsed, still = load_config(config)
    selection = select(diagnoses, snapshot, [lapsed], [])
    assert finding_names(selection.reported) == [OOM_POD, "oom-test"]
    assert selection.lapsed == [lapsed]
    assert finding_names(select(diagnoses, snapshot, [still], []).reported) == []


def test_only_keeps_what_it_names_and_excludes_the_rest_as_not_selected(drill):
    snapshot, diagnoses = drill
    selection = select(diagnoses, snapshot, [], [parse_flag("name=oom-test", "--only")])
    assert finding_names(selection.reported) == ["oom-test"]
    assert selection.summary() == "1 finding excluded (1 not selected by --only)"


def test_a_flag_takes_fields_and_a_label_selector_last():
    exclusion = parse_flag("namespace=kube-*,labels=team=a,tier!=web", "--exclude")
    assert (exclusion.namespace, exclusion.labels) == ("kube-*", "team=a,tier!=web")
    assert exclusion.reason == "--exclude namespace=kube-*,labels=team=a,tier!=web"
    assert label_selector("team=a,tier!=web,canary,!legacy") == {
        "matchExpressions": [
            {"key": "team", "operator": "In", "values": ["a"]},
            {"key": "tier", "operator": "NotIn", "values": ["web"]},
            {"key": "canary", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ]
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("exclude:\n  - namespace: x\n", "exclude[0]: needs a reason"),
        ("exclude:\n  - reason: r\n", "exclude[0]: excludes everything"),
        ("exclude:\n  - namespace: x\n    reason: r\n    team: y\n", "exclude[0]: unknown field 'team'"),
        ("exclude:\n  - namespace: x\n    reason: r\n    until: soon\n", "until 'soon' is not a date"),
        ("exclude: 3\n", "expected a mapping with a list under 'exclude'"),
        ("exclude: [\n", "not YAML"),
    ],
)
def test_a_config_that_says_nothing_clear_is_one_line_naming_the_entry(tmp_path, text, error):
    path = tmp_path / ".incident-lab.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=error.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_the_cli_lists_excluded_findings_and_fail_on_ignores_them(tmp_path, monkeypatch, capsys):
    config = tmp_path / "silences.yaml"
    config.write_text("exclude:\n  - namespace: default\n    reason: the OOM drill, on purpose\n")
    monkeypatch.setenv("INCIDENT_LAB_CONFIG", str(config))

    assert main(["diagnose", "--bundle", str(OOM_DRILL), "--fail-on", "critical"]) == 0
    out = capsys.readouterr().out
    assert "2 findings excluded (2 the OOM drill, on purpose)" in out
    assert f"  default/Pod/{OOM_POD}  oom_killed  critical  the OOM drill, on purpose" in out

    assert main(["diagnose", "--bundle", str(OOM_DRILL), "--format", "json"]) == 0
    rows = [json.loads(line.rstrip(",")) for line in capsys.readouterr().out.splitlines()[1:-1]]
    pod = next(r for r in rows if r["subject"]["name"] == OOM_POD)
    assert pod["excluded"] == {"reason": "the OOM drill, on purpose", "until": None}


def test_exclude_on_the_command_line_needs_no_file(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["diagnose", "--bundle", str(OOM_DRILL), "--exclude", "root_cause=oom_killed"]) == 0
    out = capsys.readouterr().out
    assert "1 finding excluded (1 --exclude root_cause=oom_killed)" in out
