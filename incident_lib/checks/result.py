"""The result of a check (expected, actual, pass/fail/skipped, what to do) and a table of them."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

STATUSES = ("pass", "fail", "skipped")
_COLOURS = {"pass": "#2e7d32", "fail": "#b00020", "skipped": "#666"}


@dataclass(frozen=True)
class CheckResult:
    """One runbook step checked: what it expects, what it found, and on failure what to do (and why).

    `lookup` is the command that shows the same thing by hand.
    """

    section: str
    name: str
    expected: str
    actual: str
    status: str
    on_failure: str = ""
    lookup: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def check(section: str, name: str, expected: str, actual: str, ok: bool, on_failure: str, lookup: str = ""):
    """A passed or failed CheckResult (the advice is kept either way: the report shows it only on failure)."""
    return CheckResult(section, name, expected, actual, "pass" if ok else "fail", on_failure, lookup)


def skipped(section: str, name: str, expected: str, why: str, lookup: str = "") -> CheckResult:
    return CheckResult(section, name, expected, f"skipped: {why}", "skipped", "", lookup)


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

    def counts(self) -> str:
        n = {s: sum(r.status == s for r in self.results) for s in STATUSES}
        return f"{n['pass']} passed, {n['fail']} failed, {n['skipped']} skipped"

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
            return "every check passed or was skipped: nothing to do"
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
