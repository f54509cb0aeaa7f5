"""Nothing shown or written from a hand-made (never redacted) bundle holds a seeded secret or a terminal
control sequence: `diagnose` in every format, the diagnostics API's `/ask` with logs, the findings a
notebook hands over, the HTML of a diagnosis, the timeline and the postmortem draft."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from incident_lib.classify.diagnosis_html import diagnosis_html
from incident_lib.cli import main
from incident_lib.diagnose import diagnose_all
from incident_lib.redact import REDACTED
from incident_lib.report.findings import FINDINGS_MIME, findings_document, hand_over
from incident_lib.report.postmortem import draft_postmortem, markdown
from incident_lib.report.timeline import build_timeline, timeline_markdown, timeline_text
from incident_lib.sources.bundle import read_bundle
from services.diagnostics.app import create_app
from services.diagnostics.settings import Settings
from tests.secrets.corpus import NS, POD, of, write_bundle
from tests.secrets.leaks import controls_in, secrets_in

# timeline.py builds its rows from raw event messages: it needs `safe_text` on TimelineEntry's
# subject and what (see the report of this change); until then these outputs leak.


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return write_bundle(tmp_path_factory.mktemp("seeded") / "bundle")


@pytest.fixture(scope="module")
def snapshot(bundle):
    return read_bundle(bundle)


def assert_clean(output: str, shown: bool = True) -> None:
    assert REDACTED in output or not shown  # seeded text was shown, and redacted
    assert secrets_in(output) == []
    assert controls_in(output) == []


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
@pytest.mark.parametrize("scope", [["--all"], ["-n", NS, "--pod", POD]], ids=["all", "pod"])
def test_diagnose(bundle, capsys, fmt, scope):
    main(["diagnose", "--bundle", str(bundle), "--format", fmt, *scope])
    # the sweep's table cuts summaries to 120 columns: what it shows must be clean, all of it or not
    assert_clean(capsys.readouterr().out, shown=not (fmt == "table" and scope == ["--all"]))


def test_ask_with_logs(bundle):
    client = TestClient(create_app(Settings(source="bundle", bundle=str(bundle))))
    answer = client.post("/ask", json={"namespace": NS, "pod_name": POD, "include_logs": True})
    assert answer.status_code == 200
    lines = [line for entry in answer.json()["logs"]["captured"] for line in entry["lines"]]
    assert sum(REDACTED in line for line in lines) >= len(of("log"))  # every log seed reached it
    assert_clean(answer.text)


def test_findings_and_html(snapshot):
    diagnoses = diagnose_all(snapshot)
    handed = hand_over(diagnoses, snapshot.captured_at)._repr_mimebundle_()[FINDINGS_MIME]
    assert_clean(json.dumps(findings_document(handed, "sweep.ipynb", {}, snapshot.captured_at)))
    assert_clean("".join(diagnosis_html(d) for d in diagnoses if d.subject.namespace == NS))


def test_timeline(snapshot):
    entries = build_timeline(snapshot, [NS])
    assert_clean(timeline_text(entries) + timeline_markdown(entries))


def test_postmortem(snapshot):
    assert_clean(markdown(draft_postmortem(snapshot, diagnose_all(snapshot))))
