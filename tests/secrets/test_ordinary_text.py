"""Ordinary diagnostic text survives: everything the shipped incidents hold (image names and digests,
exit codes, paths, messages, PromQL, logs) passes redaction unchanged, and their diagnoses show
nothing redacted. (Their `diagnose --format json` output was compared byte for byte before and after
detect-secrets came in: identical.)"""

from __future__ import annotations

import json

import pytest

from incident_lib.cli import main
from incident_lib.redact import REDACTED, redact_object
from incident_lib.text_safety import safe_text
from tests.helpers import ROOT

SHIPPED = sorted(p.name for p in (ROOT / "incidents").iterdir() if (p / "manifest.json").is_file())


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_there_are_shipped_incidents():
    assert {"crash-loop", "oom-drill", "bad-service", "latency"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_text_of_a_shipped_incident_is_shown_as_it_is(name):
    bundle = ROOT / "incidents" / name
    documents = [json.loads(f.read_text()) for f in sorted(bundle.rglob("*.json"))]
    texts = {s for d in documents for s in _strings(d)}
    texts |= {line for f in bundle.rglob("*.log") for line in f.read_text().splitlines()}
    assert len(texts) > 100
    assert [t for t in texts if safe_text(t) != t] == []
    assert all(redact_object(d) is d for d in documents)  # a capture would write them as they are


@pytest.mark.parametrize("name", SHIPPED)
def test_the_diagnoses_of_a_shipped_incident_redact_nothing(name, capsys):
    main(["diagnose", "--bundle", str(ROOT / "incidents" / name), "--format", "json"])
    out = capsys.readouterr().out
    assert json.loads(out) and REDACTED not in out
