"""The diagnosis of one subject: findings ranked into a root cause, with evidence and recommendations.

Ranking: findings of problems come before benign ones (`healthy`, `completed`, `pod_starting`). A
problem a benign finding explains is not one (a readiness probe that has not passed yet, in a pod still
inside its start-up allowance): it is listed behind the benign answer, as what it would be otherwise.
A problem that another fired finding explains (the crash loop of an OOM-killed container) ranks after
the ones that explain it; then the more severe, then the more confident, then the rule id, so a
warning never hides a critical finding and the order is the same on every run. `unknown` is kept only
when no other problem fired.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_lib.classify.diagnosis_html import diagnosis_html
from incident_lib.classify.evidence import Evidence, Finding, Recommendation, severity_rank

BENIGN = frozenset({"healthy", "completed", "pod_starting"})
FALLBACK = "unknown"


@dataclass(frozen=True)
class Subject:
    kind: str
    namespace: str
    name: str


@dataclass(frozen=True)
class Diagnosis:
    """The answer for one subject: root cause, confidence, evidence, recommendations, other causes."""

    subject: Subject
    root_cause: str
    confidence: float
    severity: str
    summary: str
    evidence: tuple[Evidence, ...]
    recommendations: tuple[Recommendation, ...]
    rule: str
    other_causes: tuple[tuple[str, float], ...] = ()
    missing_evidence: tuple[str, ...] = ()
    explains: frozenset[str] = frozenset()

    @classmethod
    def from_findings(
        cls, subject: Subject, findings: list[Finding], missing: tuple[str, ...] = ()
    ) -> Diagnosis:
        """Rank `findings` (at least one) and keep the first as the root cause."""
        ranked = rank(findings)
        top = ranked[0]
        return cls(
            subject=subject,
            root_cause=top.root_cause,
            confidence=top.confidence,
            severity=top.severity,
            summary=top.summary,
            evidence=top.evidence,
            recommendations=top.recommendations,
            rule=top.rule,
            other_causes=tuple((f.root_cause, f.confidence) for f in ranked[1:]),
            missing_evidence=missing,
            explains=top.explains,
        )

    @property
    def is_finding(self) -> bool:
        """True when the diagnosis reports a problem (anything but a benign root cause: `healthy`,
        `completed`, `pod_starting`)."""
        return self.root_cause not in BENIGN

    def evidence_id(self, evidence: Evidence) -> str:
        return f"e{self.evidence.index(evidence) + 1}"

    def to_dict(self) -> dict:
        """The Diagnosis JSON (docs/design.md)."""
        return {
            "subject": {
                "kind": self.subject.kind,
                "namespace": self.subject.namespace,
                "name": self.subject.name,
            },
            "root_cause": self.root_cause,
            "confidence": self.confidence,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": [
                {
                    "id": self.evidence_id(e),
                    "source": e.source,
                    "field": e.field,
                    "value": e.value,
                    "at": e.at,
                    "weight": e.weight,
                    "lookup": e.lookup,
                }
                for e in self.evidence
            ],
            "recommendations": [
                {
                    "action": r.action,
                    "why": r.why,
                    "evidence": [self.evidence_id(e) for e in r.evidence],
                    "command": r.command,
                }
                for r in self.recommendations
            ],
            "rule": self.rule,
            "other_causes": [{"root_cause": c, "confidence": p} for c, p in self.other_causes],
            "missing_evidence": list(self.missing_evidence),
        }

    def _repr_html_(self) -> str:
        return diagnosis_html(self)


def rank(findings: list[Finding]) -> list[Finding]:
    """Order findings as the module docstring says; benign findings are dropped when a problem fired."""
    explained_away = {cause for f in findings if f.root_cause in BENIGN for cause in f.explains}
    problems = [f for f in findings if f.root_cause not in BENIGN | explained_away]
    if any(f.root_cause != FALLBACK for f in problems):
        problems = [f for f in problems if f.root_cause != FALLBACK]
    if problems:
        return _ranked(problems)
    # Behind a benign answer, what it explains away (a readiness probe not passed yet): what it would be.
    behind = [f for f in findings if f.root_cause in explained_away and f.root_cause != FALLBACK]
    return _ranked([f for f in findings if f.root_cause in BENIGN]) + _ranked(behind)


def _ranked(pool: list[Finding]) -> list[Finding]:
    explained = {cause for f in pool for cause in f.explains}
    return sorted(
        pool,
        key=lambda f: (f.root_cause in explained, severity_rank(f.severity), -f.confidence, f.rule),
    )


def ordered(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """Findings first, most severe, then most confident; then by name: the order of `--all` on every run.

    Within a severity, a finding that another subject's finding cites and explains (the failing probes
    of calico-node pods, cited by the DaemonSet's `cni_unhealthy`) comes after the one that explains it,
    and a finding that names an earlier cause (backend-api slow because payments is) comes after it.
    """
    explained = {
        (d.subject.namespace, e.field)
        for d in diagnoses
        for e in d.evidence
        if e.source == "diagnosis" and str(e.value).split(" ", 1)[0] in d.explains
    }
    effects = {d.subject for d in diagnoses if any(e.source == "cause" for e in d.evidence)}

    def key(d: Diagnosis) -> tuple:
        s = d.subject
        return (
            not d.is_finding,
            severity_rank(d.severity),
            (s.namespace, f"{s.kind}/{s.name}") in explained or s in effects,
            -d.confidence if d.is_finding else 0.0,
            s.namespace,
            s.kind,
            s.name,
        )

    return sorted(diagnoses, key=key)
