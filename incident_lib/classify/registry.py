"""The rule registry: rules registered by subject kind, name and version.

A rule is a pure function of facts that returns a `Match` (its evidence, summary and recommendations)
or None. The registry stamps the match with the rule's root cause, id and severity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from incident_lib.classify.evidence import Evidence, Finding, Recommendation


@dataclass(frozen=True)
class Match:
    """What a rule found. `severity` overrides the rule's default when the facts make it milder."""

    summary: str
    evidence: tuple[Evidence, ...]
    recommendations: tuple[Recommendation, ...] = ()
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    """A registered rule. `explains` lists root causes that this one, when it fires, accounts for
    (an OOM kill explains the crash loop it causes), so those cannot be the root cause beside it."""

    subject: str
    root_cause: str
    version: int
    severity: str
    explains: frozenset[str]
    detect: Callable[..., Match | None]

    @property
    def id(self) -> str:
        return f"{self.subject.lower()}s.{self.root_cause}/{self.version}"

    def evaluate(self, facts) -> Finding | None:
        match = self.detect(facts)
        if match is None:
            return None
        return Finding(
            root_cause=self.root_cause,
            rule=self.id,
            severity=match.severity or self.severity,
            summary=match.summary,
            evidence=match.evidence,
            recommendations=match.recommendations,
            explains=self.explains,
        )


RULES: dict[str, list[Rule]] = {}


def rule(subject: str, root_cause: str, *, version: int, severity: str, explains: tuple[str, ...] = ()):
    """Register the decorated function as the rule for `root_cause` on subjects of kind `subject`."""

    def register(detect: Callable[..., Match | None]) -> Callable[..., Match | None]:
        RULES.setdefault(subject, []).append(
            Rule(subject, root_cause, version, severity, frozenset(explains), detect)
        )
        return detect

    return register


def rules_for(subject: str) -> list[Rule]:
    """The rules of one subject kind, in a stable order (by root cause)."""
    return sorted(RULES.get(subject, []), key=lambda r: r.root_cause)
