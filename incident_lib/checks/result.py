"""The result of a check (expected, actual, a status, what to do) and a table of them.

A failed check is also a finding, so a scheduled runbook run fails the way a sweep does
(`incident-lab run notebooks/runbook.ipynb --fail-on critical` exits 1). Severity of a failed check:

- `critical`: the platform is not as the runbook deploys it (a node not Ready, an app unavailable, a
  memory limit over the cap, Istio mTLS absent, an endpoint down). An object missing from a namespace
  the snapshot holds fails too ("not captured"): the runbook cannot vouch for what it did not see.
- `warning`: the check is *advisory*, it validates the tooling or a drill rather than the platform
  (the OOM failure drill not applied, or diagnosed otherwise).

Passed, skipped (no URL to ask) and "not checked" checks (the snapshot holds nothing of what they look
at: not that namespace, no Istio object at all) are not findings: absent is not failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

STATUSES = ("pass", "fail", "skipped", "not checked")
FINDING_ROOT_CAUSE = "runbook_check_failed"  # the root cause of a failed check handed over as a finding
_COLOURS = {"pass": "#2e7d32", "fail": "#b00020", "skipped": "#666", "not checked": "#666"}
# A failed check is certain of what it saw, but confidence stays under 1 as everywhere (docs/confidence.md).
CONFIDENCE = 0.99


@dataclass(frozen=True)
class CheckResult:
    """One runbook step checked: what it expects, what it found, and on failure what to do (and why).

    `lookup` is the command that shows the same thing by hand. An `advisory` check's failure is a
    warning, any other's is critical (see the module docstring).
    """

    section: str
    name: str
    expected: str
    actual: str
    status: str
    on_failure: str = ""
    lookup: str = ""
    advisory: bool = False

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    @property
    def severity(self) -> str:
        """`warning` for an advisory check, else `critical` (what its failure weighs as a finding)."""
        return "warning" if self.advisory else "critical"

    def finding(self) -> dict:
        """The failed check in the Diagnosis JSON of docs/design.md, as `findings.json` holds findings.

        The subject is the check itself (kind `RunbookCheck`, name `<section>/<check>` slugged); the one
        piece of evidence is what was found against what was expected, with the command to look again.
        """
        evidence = {
            "id": "e1",
            "source": f"runbook check {self.section} / {self.name}",
            "field": self.expected,
            "value": self.actual,
            "at": None,
            "weight": 1.0,
            "lookup": self.lookup,
        }
        return {
            "subject": {
                "kind": "RunbookCheck",
                "namespace": "",
                "name": _slug(f"{self.section}/{self.name}"),
            },
            "root_cause": FINDING_ROOT_CAUSE,
            "confidence": CONFIDENCE,
            "severity": self.severity,
            "summary": f"{self.name}: expected {self.expected}; found {self.actual}.",
            "evidence": [evidence],
            "recommendations": [
                {
                    "action": self.on_failure,
                    "why": f"{self.name} failed",
                    "evidence": ["e1"],
                    "command": self.lookup,
                }
            ],
            "rule": f"runbook.{_slug(self.name)}/1",
            "other_causes": [],
        }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9/]+", "-", text.lower()).strip("-")


def check(
    section: str,
    name: str,
    expected: str,
    actual: str,
    ok: bool,
    on_failure: str,
    lookup: str = "",
    advisory: bool = False,
) -> CheckResult:
    """A passed or failed CheckResult (the advice is kept either way: the report shows it only on failure)."""
    return CheckResult(
        section, name, expected, actual, "pass" if ok else "fail", on_failure, lookup, advisory
    )


def skipped(section: str, name: str, expected: str, why: str, lookup: str = "") -> CheckResult:
    return CheckResult(section, name, expected, f"skipped: {why}", "skipped", "", lookup)


def not_checked(section: str, name: str, expected: str, why: str, lookup: str = "") -> CheckResult:
    """A check whose subject the snapshot does not hold at all: neither a pass nor a failure."""
    return CheckResult(section, name, expected, f"not checked: {why}", "not checked", "", lookup)


@dataclass(frozen=True)
class CheckReport:
    """Every check of a runbook run, in runbook order; shows as one table in JupyterLab and the HTML."""

    results: tuple[CheckResult, ...]

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.failed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def findings(self) -> list[dict]:
        """The failed checks as findings (Diagnosis JSON), critical ones first, then in runbook order."""
        failures = sorted(self.failures, key=lambda r: r.severity != "critical")
        return [r.finding() for r in failures]

    def counts(self) -> str:
        n = {s: sum(r.status == s for r in self.results) for s in STATUSES}
        return (
            f"{n['pass']} passed, {n['fail']} failed, {n['skipped']} skipped, {n['not checked']} not checked"
        )

    def text(self) -> str:
        """The table as aligned plain text: section, check, status, expected and actual."""
        rows = [("SECTION", "CHECK", "STATUS", "EXPECTED", "ACTUAL")] + [
            (r.section, r.name, r.status.upper(), r.expected, r.actual) for r in self.results
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[4]]) for row in rows
        ]
        return "\n".join([*lines, "", self.counts()])

    def advice(self) -> str:
        """What to do about each failed check, as text."""
        if self.passed:
            return "no check failed: nothing to do"
        return "\n\n".join(
            f"{r.section} / {r.name}: {r.on_failure}" + (f"\n  $ {r.lookup}" if r.lookup else "")
            for r in self.failures
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(r.section)}</td><td>{escape(r.name)}</td>"
            f'<td style="color:{_COLOURS[r.status]};font-weight:bold">{r.status}</td>'
            f"<td>{escape(r.expected)}</td><td>{escape(r.actual)}</td>"
            f"<td>{escape(r.on_failure) if r.failed else ''}</td>"
            f"<td><code>{escape(r.lookup)}</code></td></tr>"
            for r in self.results
        )
        return (
            f"<p><b>{escape(self.counts())}</b></p><table><thead><tr><th>section</th><th>check</th>"
            "<th>status</th><th>expected</th><th>actual</th><th>on failure</th><th>look yourself</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
