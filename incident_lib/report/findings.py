"""Findings handed from a notebook to the runner, and the `findings.json` the runner writes from them.

A notebook hands its findings over (`hand_over` for diagnoses, `hand_over_checks` for a runbook's failed
checks, whose severities `incident_lib.checks.result` explains) by displaying them once under a MIME
type of its own (`FINDINGS_MIME`), the way scrapbook glues values: the executed notebook then carries
them, and the runner reads them back from it. No path has to be agreed between the two, the notebook
stays runnable by hand (it just shows a one-line summary), and a notebook that hands nothing over simply
has no findings. The runner adds what only it knows (the notebook, the parameters it ran with and
when it ran).

`findings.json`:
```json
{"notebook": "sweep.ipynb", "parameters": {"source": "…"}, "generated_at": "2026-12-04T17:50:00Z",
 "captured_at": "2025-12-17T10:05:00Z", "findings": [<Diagnosis JSON of docs/design.md>, …],
 "excluded": [<the same, with "excluded": {"reason", "until"}>, …]}
```
`generated_at` is when the run happened; `captured_at` when the data it read was captured (the
snapshot's time, which every time-based rule uses), so the findings of one bundle are the same on
every run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from incident_lib.checks.result import CheckReport
from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.classify.evidence import SEVERITIES, at_least
from incident_lib.k8s.objects import format_time
from incident_lib.text_safety import safe_text

FINDINGS_MIME = "application/vnd.incident-lab.findings+json"


class HandedFindings:
    """What a notebook displays to hand its findings over: JSON for the runner, one line for people."""

    def __init__(self, findings: list[dict], captured_at: datetime, excluded: list[dict]) -> None:
        self.findings = findings
        self.captured_at = format_time(captured_at)
        self.excluded = excluded

    def summary(self) -> str:
        counts = {s: sum(f["severity"] == s for f in self.findings) for s in SEVERITIES}
        by_severity = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        n = len(self.findings)
        return f"{n} finding{'' if n == 1 else 's'} handed to the runner" + (
            f" ({by_severity})" if by_severity else ""
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            FINDINGS_MIME: {
                "captured_at": self.captured_at,
                "findings": self.findings,
                "excluded": self.excluded,
            },
            "text/plain": self.summary(),
        }


def hand_over(
    diagnoses: Iterable[Diagnosis], captured_at: datetime, excluded: Iterable[dict] = ()
) -> HandedFindings:
    """The findings (diagnoses that report a problem) to display as a notebook's last output.

    `captured_at` is the capture time of the snapshot they come from; `excluded` the findings an
    exclusion left out (`incident_lib.exclusions.excluded_dict`), listed apart in `findings.json`.
    """
    return HandedFindings([d.to_dict() for d in diagnoses if d.is_finding], captured_at, list(excluded))


def hand_over_checks(report: CheckReport, captured_at: datetime) -> HandedFindings:
    """A runbook's failed checks as findings to display as a notebook's last output: critical unless the
    check is advisory (`incident_lib.checks.result`). `captured_at` is the snapshot's capture time."""
    return HandedFindings(report.findings(), captured_at, [])


def handed_findings(notebook: dict) -> dict | None:
    """The last findings an executed notebook (nbformat JSON) handed over, or None if it handed none."""
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if FINDINGS_MIME in data:
                found = data[FINDINGS_MIME]
    return found


def findings_document(
    handed: dict | None, notebook: str, parameters: dict[str, object], generated_at: datetime
) -> dict:
    """The content of `findings.json`: the runner's header around the findings the notebook handed over."""
    handed = handed or {}
    return {
        "notebook": notebook,
        "parameters": parameters,
        "generated_at": format_time(generated_at),
        "captured_at": handed.get("captured_at"),
        "findings": handed.get("findings", []),
        "excluded": handed.get("excluded", []),
    }


def write_findings(document: dict, path: Path) -> Path:
    """Write `document` as `findings.json` at `path` (indented, keys in a stable order) and return path."""
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def reaches(findings: list[dict], severity: str) -> bool:
    """True when a finding is at least as severe as `severity` (the test of `--fail-on`)."""
    return any(at_least(f["severity"], severity) for f in findings)


def findings_text(diagnoses: list[Diagnosis]) -> str:
    """The findings as an aligned plain-text table (severity, subject, root cause, confidence, rule).

    Short on purpose: the golden output of the sweep, stable while summaries and evidence get richer.
    """
    findings = [d for d in diagnoses if d.is_finding]
    if not findings:
        return "no findings"
    columns = ("SEVERITY", "NAMESPACE", "KIND", "NAME", "ROOT CAUSE", "CONF", "RULE")
    rows = [columns] + [
        (
            d.severity,
            safe_text(d.subject.namespace),
            safe_text(d.subject.kind),
            safe_text(d.subject.name),
            d.root_cause,
            f"{d.confidence:.2f}",
            d.rule,
        )
        for d in findings
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
