"""The rule registry: rules registered by subject kind, name and version, with what each needs.

A rule is a pure function of facts that returns a `Match` (its evidence, summary and recommendations)
or None. The registry stamps the match with the rule's root cause, id and severity.

A rule declares what it reads: `needs` names API kinds (`"PersistentVolumeClaim"`, or a `Kind` for a
CRD) and Prometheus signals (`"memory_working_set"`). From those declarations come the kinds the live
collector lists, what `diagnose --live --pod` fetches, the chart's read-only role and the docs
(`incident_lib/needs.py`), so adding a rule edits no collector.

Rules from outside the project are Python packages that register theirs with the same `@rule` and name
the module in the entry-point group `incident_lib.rules` (see `examples/`). They load once, on first use
of the registry; one that fails to load or raises on a subject is reported as its own error, one line,
and every other rule still runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from incident_lib.classify.evidence import SEVERITIES, Evidence, Finding, Recommendation
from incident_lib.errors import InputError
from incident_lib.k8s.kinds import Kind, kind_of
from incident_lib.metrics.catalogue import SIGNALS

ENTRY_POINTS = "incident_lib.rules"
SUBJECTS = (
    "Pod",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "HorizontalPodAutoscaler",
    "Node",
)
# The built-in rule families, one module per root cause: every module of each is imported, so a new
# rule file registers itself.
_BUILT_IN = (
    "incident_lib.classify.pods",
    "incident_lib.classify.services",
    "incident_lib.classify.workloads",
    "incident_lib.classify.nodes",
    "incident_lib.classify.cluster",
)


@dataclass(frozen=True)
class Match:
    """What a rule found. `severity` overrides the rule's default when the facts make it milder."""

    summary: str
    evidence: tuple[Evidence, ...]
    recommendations: tuple[Recommendation, ...] = ()
    severity: str | None = None


class RuleError(Exception):
    """An external rule raised on a subject: reported as that rule's error, the other rules still run."""


@dataclass(frozen=True)
class Rule:
    """A registered rule. `explains` lists root causes that this one, when it fires, accounts for
    (an OOM kill explains the crash loop it causes), so those cannot be the root cause beside it.
    `kinds` and `signals` are what it reads; `origin` is the distribution of an external rule, else ""."""

    subject: str
    root_cause: str
    version: int
    severity: str
    explains: frozenset[str]
    detect: Callable[..., Match | None]
    kinds: tuple[Kind, ...] = ()
    signals: tuple[str, ...] = ()
    origin: str = ""

    @property
    def id(self) -> str:
        return f"{self.subject.lower()}s.{self.root_cause}/{self.version}"

    @property
    def doc(self) -> str:
        """What the rule recognises, in one sentence: from its docstring (its `Evidence:` list aside),
        else its module's, without the leading "`name`:"."""
        own = (self.detect.__doc__ or "").partition("Evidence:")[0].strip()
        text = own or (importlib.import_module(self.detect.__module__).__doc__ or "").strip()
        paragraph = " ".join(text.split("\n\n")[0].split())
        paragraph = re.sub(r"^`[^`]+`[^:.]*: ", "", paragraph)
        return paragraph.split(". ")[0].rstrip(".")

    def evaluate(self, facts) -> Finding | None:
        """The rule's finding on `facts`, or None. An external rule that raises becomes a RuleError."""
        try:
            match = self.detect(facts)
        except Exception as exc:
            if not self.origin:
                raise  # a built-in rule that raises is a bug: let the tests see it
            message = " ".join(str(exc).split())[:200]
            raise RuleError(
                f"rule {self.id} ({self.origin}) failed: {type(exc).__name__}: {message}"
            ) from None
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
_origin = ""  # the distribution whose entry point is being loaded
_loaded = False
# The diagnostics API diagnoses in threads: one loads, the others wait (reentrant: a rule module that
# asks for the registry while it is imported gets what is loaded so far, as before the lock).
_loading = threading.RLock()
LOAD_ERRORS: list[str] = []  # one line per external rule package that failed to load


def rule(
    subject: str,
    root_cause: str,
    *,
    version: int,
    severity: str,
    explains: tuple[str, ...] = (),
    needs: tuple[str | Kind, ...] = (),
):
    """Register the decorated function as the rule for `root_cause` on subjects of kind `subject`.

    `needs` lists the API kinds (by name, or a `Kind`) and Prometheus signals the rule reads, beyond the
    subject itself. A need that is neither is an error at import time, naming the rule.
    """
    if subject not in SUBJECTS:
        raise InputError(f"rule {root_cause}: subject {subject!r} is not one of {', '.join(SUBJECTS)}")
    if severity not in SEVERITIES:
        raise InputError(f"rule {root_cause}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    kinds, signals = _split_needs(root_cause, needs)

    def register(detect: Callable[..., Match | None]) -> Callable[..., Match | None]:
        new = Rule(
            subject, root_cause, version, severity, frozenset(explains), detect, kinds, signals, _origin
        )
        if any(r.id == new.id for r in RULES.get(subject, [])):
            raise InputError(f"rule {new.id} is registered twice{f' (by {_origin})' if _origin else ''}")
        RULES.setdefault(subject, []).append(new)
        return detect

    return register


def _split_needs(root_cause: str, needs: tuple[str | Kind, ...]) -> tuple[tuple[Kind, ...], tuple[str, ...]]:
    kinds, signals = [], []
    for need in needs:
        if isinstance(need, str) and need in SIGNALS:
            signals.append(need)
        else:
            try:
                kinds.append(kind_of(need))
            except InputError as exc:
                raise InputError(
                    f"rule {root_cause} needs {need!r}: neither a signal nor a known kind ({exc})"
                ) from None
    return tuple(kinds), tuple(signals)


def rules_for(subject: str) -> list[Rule]:
    """The rules of one subject kind, in a stable order (by root cause)."""
    return sorted(all_rules().get(subject, []), key=lambda r: r.root_cause)


def all_rules() -> dict[str, list[Rule]]:
    """Every registered rule by subject kind, built-in and external, loaded on first use."""
    global _loaded
    with _loading:
        if not _loaded:
            _loaded = True
            for family in _BUILT_IN:
                package = importlib.import_module(family)
                for module in pkgutil.iter_modules(package.__path__, f"{family}."):
                    importlib.import_module(module.name)
            _load_external()
    return RULES


def _load_external() -> None:
    """Import each module named in the `incident_lib.rules` entry-point group, in a stable order."""
    global _origin
    for point in sorted(
        entry_points(group=ENTRY_POINTS), key=lambda p: (p.dist.name if p.dist else "", p.name)
    ):
        _origin = point.dist.name if point.dist else point.name
        try:
            point.load()
        except Exception as exc:
            LOAD_ERRORS.append(f"rules {point.name} ({_origin}) failed to load: {type(exc).__name__}: {exc}")
        finally:
            _origin = ""


def vocabulary() -> dict[str, tuple[str, ...]]:
    """Root causes by subject kind: every name a diagnosis can give (`unknown` included), sorted."""
    causes: dict[str, set[str]] = {subject: {"unknown"} for subject in SUBJECTS}
    for subject, rules in all_rules().items():
        causes[subject].update(r.root_cause for r in rules)
    return {subject: tuple(sorted(names)) for subject, names in causes.items()}
