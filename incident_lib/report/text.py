"""Diagnoses as a terminal table and as Markdown (the `--format table|markdown` of the CLI).

Evidence, recommendations and summaries are made safe to show when they are made; names and missing
evidence, which come from the cluster too, are made safe here (`safe_text`).
"""

from __future__ import annotations

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.classify.evidence import SEVERITIES
from incident_lib.text_safety import safe_text

_COLUMNS = ("NAMESPACE", "KIND", "NAME", "ROOT CAUSE", "CONF", "SEVERITY", "SUMMARY")
TABLE_WIDTH = 120  # a terminal's columns the table keeps to; the single-subject details are not cut
MIN_SUMMARY = 30


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _row(d: Diagnosis) -> tuple[str, ...]:
    s = d.subject
    cells = (s.namespace, s.kind, s.name, d.root_cause, f"{d.confidence:.2f}", d.severity, d.summary)
    return tuple(safe_text(c) for c in cells)


def findings_summary(diagnoses: list[Diagnosis], listed_healthy: bool) -> str:
    """`2 findings: 1 critical, 1 warning; 52 healthy subjects (--all lists them)`."""
    findings = [d for d in diagnoses if d.is_finding]
    by_severity = ", ".join(f"{n} {s}" for s in SEVERITIES if (n := sum(d.severity == s for d in findings)))
    healthy = len(diagnoses) - len(findings)
    head = f"{len(findings)} finding{'' if len(findings) == 1 else 's'}" + (
        f": {by_severity}" if findings else ""
    )
    tail = f"{healthy} healthy subject{'' if healthy == 1 else 's'}"
    return f"{head}; {tail}" + ("" if listed_healthy or not healthy else " (--all lists them)")


def table(diagnoses: list[Diagnosis], width: int = TABLE_WIDTH) -> str:
    """One aligned line per diagnosis, the summary cut to fit `width` columns; for a single diagnosis,
    its evidence and recommendations too."""
    rows = [_COLUMNS, *(_row(d) for d in diagnoses)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS) - 1)]
    room = max(MIN_SUMMARY, width - sum(widths) - 2 * len(widths))
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), _cut(r[-1], room)]) for r in rows
    ]
    if len(diagnoses) == 1:
        lines += ["", *_details(diagnoses[0])]
    return "\n".join(lines)


def _details(d: Diagnosis) -> list[str]:
    lines = ["Evidence:"]
    for e in d.evidence:
        at = f" at {e.at}" if e.at else ""
        lines += [
            f"  {d.evidence_id(e)}  {e.source} {e.field} = {e.value}{at}",
            f"        lookup: {e.lookup}",
        ]
    lines.append("Recommendations:" if d.recommendations else "Recommendations: none")
    for r in d.recommendations:
        cites = ", ".join(d.evidence_id(e) for e in r.evidence)
        lines += [f"  - {r.action} [{cites}]", f"    why: {r.why}"]
        if r.command:
            lines.append(f"    $ {r.command}")
    if d.other_causes:
        lines.append("Other causes: " + ", ".join(f"{c} ({p:.2f})" for c, p in d.other_causes))
    if d.missing_evidence:
        lines.append("Missing evidence (not checked): " + safe_text("; ".join(d.missing_evidence)))
    return lines


def markdown(diagnoses: list[Diagnosis]) -> str:
    """A Markdown table of the diagnoses, then a section per finding with evidence and recommendations."""
    head = "| " + " | ".join(_COLUMNS) + " |\n|" + "---|" * len(_COLUMNS)
    rows = ["| " + " | ".join(_md(c) for c in _row(d)) + " |" for d in diagnoses]
    sections = [_md_section(d) for d in diagnoses if d.is_finding or len(diagnoses) == 1]
    return "\n".join([head, *rows, *sections]) + "\n"


def _md_section(d: Diagnosis) -> str:
    kind, namespace, name = (safe_text(n) for n in (d.subject.kind, d.subject.namespace, d.subject.name))
    lines = [
        "",
        f"## {kind} {namespace}/{name}: `{d.root_cause}` ({d.confidence:.2f}, {d.severity})",
        "",
        safe_text(d.summary),
        "",
        "| id | source | field | value | at | lookup |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d.evidence_id(e)} | {e.source} | `{_md(e.field)}` | {_md(str(e.value))} | {e.at or ''} | "
        f"`{_md(e.lookup)}` |"
        for e in d.evidence
    ]
    lines += ["", "**Recommendations**", ""]
    for r in d.recommendations:
        cites = ", ".join(d.evidence_id(e) for e in r.evidence)
        lines.append(f"- {r.action} ({r.why}; evidence {cites})" + (f": `{r.command}`" if r.command else ""))
    if d.missing_evidence:
        lines += ["", "**Missing evidence:** " + safe_text("; ".join(d.missing_evidence))]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
