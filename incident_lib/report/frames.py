"""Diagnoses as pandas DataFrames: one row per subject, per piece of evidence, per recommendation."""

from __future__ import annotations

import pandas as pd

from incident_lib.classify.diagnosis import Diagnosis


def diagnoses_frame(diagnoses: list[Diagnosis]) -> pd.DataFrame:
    """One row per diagnosis, in the order given (the CLI's order: most severe first)."""
    return pd.DataFrame(
        [
            {
                "namespace": d.subject.namespace,
                "kind": d.subject.kind,
                "name": d.subject.name,
                "root_cause": d.root_cause,
                "confidence": d.confidence,
                "severity": d.severity,
                "summary": d.summary,
                "rule": d.rule,
            }
            for d in diagnoses
        ],
        columns=["namespace", "kind", "name", "root_cause", "confidence", "severity", "summary", "rule"],
    )


def evidence_frame(diagnosis: Diagnosis) -> pd.DataFrame:
    """The evidence of one diagnosis, with where each fact came from and how to look it up again."""
    return pd.DataFrame(
        [
            {
                "id": diagnosis.evidence_id(e),
                "source": e.source,
                "field": e.field,
                "value": str(e.value),
                "at": e.at or "",
                "weight": e.weight,
                "lookup": e.lookup,
            }
            for e in diagnosis.evidence
        ],
        columns=["id", "source", "field", "value", "at", "weight", "lookup"],
    ).set_index("id")


def recommendations_frame(diagnosis: Diagnosis) -> pd.DataFrame:
    """The recommendations of one diagnosis, each with the evidence ids it rests on."""
    return pd.DataFrame(
        [
            {
                "action": r.action,
                "why": r.why,
                "evidence": ", ".join(diagnosis.evidence_id(e) for e in r.evidence),
                "command": r.command or "",
            }
            for r in diagnosis.recommendations
        ],
        columns=["action", "why", "evidence", "command"],
    )
