"""Measured accuracy: every labelled case, published or composed, comes out with its label."""

from __future__ import annotations

import pytest

from incident_lib.corpus import load_case
from incident_lib.errors import InputError
from incident_lib.evaluate import confusion_matrix, evaluate, report
from tests.helpers import CORPUS, ROOT, cli

CASE_FOLDERS = [CORPUS, ROOT / "tests" / "cases"]


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=["published-corpus", "composed-cases"])
def test_every_case_gets_its_label_and_cites_only_its_own_evidence(folder):
    outcomes = evaluate(folder)
    text = report(outcomes)
    assert "misses: 0" in text, text
    assert "recommendations citing absent evidence: 0" in text, text


def test_the_report_shows_accuracy_the_confusion_matrix_and_each_miss(tmp_path):
    (tmp_path / "pods").mkdir()
    wrong = (
        (CORPUS / "pods" / "003-crash-loop-exit1.yaml")
        .read_text()
        .replace("label: crash_loop", "label: evicted")
    )
    (tmp_path / "pods" / "003-relabelled.yaml").write_text(wrong)
    text = report(evaluate(tmp_path))
    assert text.startswith("top-1 accuracy: 0/1 = 0.0%")
    assert "003-relabelled.yaml: expected evicted, got crash_loop" in text


def test_the_matrix_names_labels_in_full_and_counts_other_on_its_own_diagonal(tmp_path):
    (tmp_path / "pods").mkdir()
    crash_loop = (CORPUS / "pods" / "003-crash-loop-exit1.yaml").read_text()
    (tmp_path / "pods" / "a.yaml").write_text(crash_loop.replace("label: crash_loop", "label: other"))
    (tmp_path / "pods" / "b.yaml").write_text(
        crash_loop.replace("label: crash_loop", "label: container_create_error")
    )
    header, *rows = confusion_matrix(evaluate(tmp_path))

    assert header.split()[-3:] == ["1", "2", "3"]  # container_create_error, crash_loop, other
    assert rows == [
        "1 container_create_error  .  1  .",
        "3 other                   .  .  1",
        "answers that are no label: 2 crash_loop",
    ]


def test_eval_exits_1_on_a_miss_and_2_on_a_folder_without_cases(tmp_path):
    assert cli("eval", str(CORPUS)).returncode == 0
    empty = cli("eval", str(tmp_path))
    assert empty.returncode == 2 and "no cases" in empty.stderr


def test_a_case_without_label_is_named(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("pod: {}\n")
    with pytest.raises(InputError, match="a case needs 'label'"):
        load_case(bad)


def test_the_cni_agent_outranks_its_own_pods_probe_failures_however_many_events_there_are():
    from dataclasses import replace

    from incident_lib.diagnose import diagnose_all

    case = load_case(next((ROOT / "tests" / "cases" / "cluster").glob("*cni-unhealthy*.yaml")))
    pod = next(
        o
        for o in case.snapshot.objects
        if o["kind"] == "Pod"
        and "calico-node" in o["metadata"]["name"]
        and not o["status"]["containerStatuses"][0]["ready"]
    )
    killing = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod['metadata']['name']}.killing", "namespace": "kube-system"},
        "involvedObject": {"kind": "Pod", "namespace": "kube-system", "name": pod["metadata"]["name"]},
        "reason": "Killing",
        "type": "Normal",
        "message": "Container calico-node failed liveness probe, will be restarted",
        "count": 5,
    }
    snapshot = replace(case.snapshot, objects=[*case.snapshot.objects, killing])
    first = diagnose_all(snapshot)[0]
    assert first.root_cause == "cni_unhealthy"
    assert any("FELIX_HEALTHHOST=127.0.0.1" in (r.command or "") for r in first.recommendations)
