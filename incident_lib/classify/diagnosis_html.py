"""A diagnosis as an HTML card: what JupyterLab shows for a `Diagnosis` (its `_repr_html_`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from incident_lib.text_safety import safe_text

if TYPE_CHECKING:
    from incident_lib.classify.diagnosis import Diagnosis

_COLOURS = {"critical": "#b00020", "warning": "#b26a00", "info": "#2e7d32"}


def _shown(text: str) -> str:
    """Names and messages from the cluster (a hand-made bundle's too): no secrets, no control characters."""
    return escape(safe_text(text))


def diagnosis_html(d: Diagnosis) -> str:
    """A card: subject, root cause with confidence and severity, summary, evidence, recommendations."""
    s = d.subject
    colour = _COLOURS.get(d.severity, "#444")
    evidence = "".join(
        f"<tr><td>{d.evidence_id(e)}</td><td>{escape(e.source)}</td><td><code>{escape(e.field)}</code></td>"
        f"<td>{escape(str(e.value))}</td><td>{escape(e.at or '')}</td><td>{e.weight:.2f}</td>"
        f"<td><code>{escape(e.lookup)}</code></td></tr>"
        for e in d.evidence
    )
    recommendations = "".join(
        f"<li>{escape(r.action)} <small>({escape(r.why)}; evidence "
        f"{', '.join(d.evidence_id(e) for e in r.evidence)})</small>"
        + (f"<br><code>{escape(r.command)}</code>" if r.command else "")
        + "</li>"
        for r in d.recommendations
    )
    others = ", ".join(f"{escape(c)} ({p:.2f})" for c, p in d.other_causes)
    missing = "; ".join(_shown(m) for m in d.missing_evidence)
    return (
        f'<div class="incident-lib-diagnosis" style="border-left:4px solid {colour};padding-left:8px">'
        f"<h4>{_shown(s.kind)} {_shown(s.namespace)}/{_shown(s.name)}: "
        f'<span style="color:{colour}">{escape(d.root_cause)}</span> '
        f"<small>confidence {d.confidence:.2f} · {escape(d.severity)} · rule {escape(d.rule)}</small></h4>"
        f"<p>{_shown(d.summary)}</p>"
        "<table><thead><tr><th>id</th><th>source</th><th>field</th><th>value</th><th>at</th><th>weight</th>"
        f"<th>lookup</th></tr></thead><tbody>{evidence}</tbody></table>"
        f"<p><b>Recommendations</b></p><ul>{recommendations}</ul>"
        + (f"<p><b>Other causes:</b> {others}</p>" if others else "")
        + (f"<p><b>Missing evidence:</b> {missing}</p>" if missing else "")
        + "</div>"
    )
