"""Evidence, recommendations and findings, and the confidence model that scores them.

Confidence model: each piece of evidence carries a weight in [0, 1], the probability on its own that
the finding is right. A finding's confidence is the noisy-OR of its weights,
`1 - prod(1 - w)`, capped at 0.99 and rounded to two decimals. Adding evidence can only multiply the
product by a factor at most 1, so corroborating evidence never lowers confidence, and missing evidence
(no metrics, a rotated log) simply leaves its weight out. The weights of every rule are listed in
docs/confidence.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from incident_lib.text_safety import safe_text, strip_controls

MAX_CONFIDENCE = 0.99
SEVERITIES = ("critical", "warning", "info")  # most severe first


@dataclass(frozen=True)
class Evidence:
    """One fact a finding rests on, and where it came from so a reader can look it up again.

    `source` names the kind of place (`pod.status`, `pod.spec`, `event`, `prometheus`, `log`), `field`
    the exact field, event reason or signal, and `lookup` the command or PromQL that shows it. Text
    read from the cluster is made safe to show here, whichever rule cites it: the value is redacted
    (`safe_text`); the field and lookup, which name things and which rules read back, only lose
    control characters.
    """

    source: str
    field: str
    value: Any
    weight: float
    at: str | None = None
    lookup: str = ""

    def __post_init__(self) -> None:
        _make_safe(self, "value")
        _make_safe(self, "field", "lookup", safe=strip_controls)


@dataclass(frozen=True)
class Recommendation:
    """Something to do, why, the evidence it rests on, and the command that does or verifies it."""

    action: str
    why: str
    evidence: tuple[Evidence, ...]
    command: str | None = None

    def __post_init__(self) -> None:
        _make_safe(self, "action", "why", "command")


@dataclass(frozen=True)
class Finding:
    """What one rule concluded about one subject."""

    root_cause: str
    rule: str
    severity: str
    summary: str
    evidence: tuple[Evidence, ...]
    recommendations: tuple[Recommendation, ...] = ()
    explains: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        _make_safe(self, "summary")

    @property
    def confidence(self) -> float:
        return confidence(e.weight for e in self.evidence)


def _make_safe(record: Any, *names: str, safe=safe_text) -> None:
    """Replace the text fields `names` of a frozen `record` by what `safe` makes of them."""
    for name in names:
        value = getattr(record, name)
        if isinstance(value, str):
            object.__setattr__(record, name, safe(value))


def confidence(weights) -> float:
    """The noisy-OR of evidence weights (see the module docstring)."""
    doubt = math.prod(1.0 - min(max(w, 0.0), 1.0) for w in weights)
    return round(min(MAX_CONFIDENCE, 1.0 - doubt), 2)


def at_least(severity: str, threshold: str) -> bool:
    """True when `severity` is `threshold` or more severe (the test of `--fail-on`)."""
    return severity_rank(severity) <= severity_rank(threshold)


def severity_rank(severity: str) -> int:
    """0 for the most severe level; used to sort and to compare against `--fail-on`."""
    return SEVERITIES.index(severity)
