"""Exclusions: findings a team has decided not to be told about, counted and listed, never dropped.

A `.incident-lab.yaml` (in the working directory, or the file `INCIDENT_LAB_CONFIG` names) holds them:

```yaml
exclude:
  - namespace: "sandbox-*"          # a glob on the subject's namespace
    reason: "experiments, nobody is paged for them"
  - root_cause: cpu_throttling      # a glob on the root cause
    labels: "team=batch,tier!=web"  # a label selector on the subject (kubectl's -l syntax)
    name: "report-*"                # a glob on the subject's name
    until: 2027-01-31               # the exclusion lapses then (compared with the capture time)
    reason: "BATCH-1234: throttled by design until the new nodes arrive"
```

Every field given must match (they are ANDed); any exclusion matching excludes the diagnosis. The same
fields work on the command line: `--exclude namespace=sandbox-*,root_cause=cpu_throttling` (repeatable)
and `--only namespace=apps` (what matches no `--only` is excluded as "not selected by --only").
An exclusion lapses at `until` as of the snapshot's capture time, so a bundle read later gets the
same answer as when it was captured.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.errors import InputError
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.k8s.selectors import matches
from incident_lib.snapshot import Snapshot

CONFIG_FILE = ".incident-lab.yaml"
CONFIG_VARIABLE = "INCIDENT_LAB_CONFIG"
FIELDS = ("namespace", "name", "root_cause", "labels", "until", "reason")
ONLY_REASON = "not selected by --only"


@dataclass(frozen=True)
class Exclusion:
    """One rule of exclusion: globs on the subject and root cause, a label selector, a lapse time."""

    reason: str
    namespace: str = "*"
    name: str = "*"
    root_cause: str = "*"
    labels: str = ""
    until: datetime | None = None

    def matches(self, diagnosis: Diagnosis, labels: dict[str, str]) -> bool:
        subject = diagnosis.subject
        return (
            fnmatch.fnmatchcase(subject.namespace, self.namespace)
            and fnmatch.fnmatchcase(subject.name, self.name)
            and fnmatch.fnmatchcase(diagnosis.root_cause, self.root_cause)
            and (not self.labels or matches(label_selector(self.labels), labels))
        )

    def lapsed(self, now: datetime) -> bool:
        return self.until is not None and self.until <= now


@dataclass(frozen=True)
class Excluded:
    """A diagnosis left out of the report, and the exclusion that left it out."""

    diagnosis: Diagnosis
    by: Exclusion


@dataclass(frozen=True)
class Selection:
    """Diagnoses split into those reported and those excluded; lapsed exclusions, to say they lapsed."""

    reported: list[Diagnosis]
    excluded: list[Excluded]
    lapsed: list[Exclusion]

    def summary(self) -> str:
        """`3 findings excluded (2 by namespace=sandbox-*, 1 not selected by --only)`, or ''."""
        findings = [e for e in self.excluded if e.diagnosis.is_finding]
        if not findings:
            return ""
        counts: dict[str, int] = {}
        for e in findings:
            counts[e.by.reason] = counts.get(e.by.reason, 0) + 1
        by = ", ".join(f"{n} {reason}" for reason, n in counts.items())
        return f"{len(findings)} finding{'' if len(findings) == 1 else 's'} excluded ({by})"


def select(
    diagnoses: Iterable[Diagnosis], snapshot: Snapshot, exclusions: list[Exclusion], only: list[Exclusion]
) -> Selection:
    """Split `diagnoses` by `exclusions` and `only`, as of the snapshot's capture time."""
    now = snapshot.captured_at
    active = [e for e in exclusions if not e.lapsed(now)]
    reported, excluded = [], []
    for d in diagnoses:
        labels = _labels(snapshot, d)
        by = next((e for e in active if e.matches(d, labels)), None)
        if by is None and only and not any(o.matches(d, labels) for o in only):
            by = Exclusion(reason=ONLY_REASON)
        if by is None:
            reported.append(d)
        else:
            excluded.append(Excluded(d, by))
    return Selection(reported, excluded, [e for e in exclusions if e.lapsed(now)])


def apply_config(diagnoses: Iterable[Diagnosis], snapshot: Snapshot) -> Selection:
    """`diagnoses` split by the exclusions of the configuration file (`load_config`): what a notebook's
    sweep reports, and what it lists as excluded."""
    return select(diagnoses, snapshot, load_config(), [])


def excluded_dict(excluded: Excluded) -> dict:
    """An excluded diagnosis as the Diagnosis JSON with an `excluded` member: why, and until when."""
    until = format_time(excluded.by.until) if excluded.by.until else None
    return {**excluded.diagnosis.to_dict(), "excluded": {"reason": excluded.by.reason, "until": until}}


def excluded_text(selection: Selection, style: str) -> str:
    """What follows the report of a CLI run: the excluded findings, one line each ('' when none)."""
    findings = [e for e in selection.excluded if e.diagnosis.is_finding]
    if not findings:
        return ""
    lines = [
        f"{_subject(e.diagnosis)}  {e.diagnosis.root_cause}  {e.diagnosis.severity}  {e.by.reason}"
        for e in findings
    ]
    if style == "markdown":
        return (
            "\n## Excluded\n\n"
            + selection.summary()
            + "\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n"
        )
    return "\n\n" + selection.summary() + ":\n" + "\n".join(f"  {line}" for line in lines)


def _subject(d: Diagnosis) -> str:
    return f"{d.subject.namespace}/{d.subject.kind}/{d.subject.name}"


def _labels(snapshot: Snapshot, diagnosis: Diagnosis) -> dict[str, str]:
    subject = diagnosis.subject
    found = snapshot.view.get(subject.kind, subject.namespace, subject.name)
    return found.labels if found is not None else {}


def load_config(path: Path | None = None) -> list[Exclusion]:
    """The exclusions of `path`, else of `$INCIDENT_LAB_CONFIG`, else of ./.incident-lab.yaml if any."""
    if path is None:
        named = os.environ.get(CONFIG_VARIABLE)
        path = Path(named) if named else Path(CONFIG_FILE)
        if not named and not path.exists():
            return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputError(f"{path}: cannot read the exclusions ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(document, dict) or not isinstance(document.get("exclude", []), list):
        raise InputError(f"{path}: expected a mapping with a list under 'exclude'")
    return [_exclusion(entry, f"{path}: exclude[{i}]") for i, entry in enumerate(document.get("exclude", []))]


def parse_flag(text: str, flag: str) -> Exclusion:
    """`namespace=sandbox-*,root_cause=cpu_throttling` (a `--exclude` or `--only` value) as an Exclusion.

    A label selector holds commas itself, so it comes last: `labels=team=batch,tier!=web`."""
    fields: dict[str, str] = {}
    rest = text
    while rest:
        key, _, rest = rest.partition("=")
        if key == "labels":
            fields[key] = rest
            break
        value, _, rest = rest.partition(",")
        fields[key] = value
    return _exclusion({"reason": f"{flag} {text}", **fields}, f"{flag} {text}")


def _exclusion(entry: object, where: str) -> Exclusion:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected a mapping of {', '.join(FIELDS)}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
    values = {k: v for k, v in entry.items() if k != "until"}
    if not all(isinstance(v, str) and v for v in values.values()):
        raise InputError(f"{where}: every field is a non-empty string")
    if "reason" not in values:
        raise InputError(f"{where}: needs a reason (who decided, and why)")
    if len(values) == 1 and "until" not in entry:
        raise InputError(f"{where}: excludes everything; name a namespace, name, root_cause or labels")
    if "labels" in values:
        label_selector(values["labels"], where)
    return Exclusion(**values, until=_until(entry.get("until"), where))


def _until(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):  # YAML reads 2027-01-31 as a date: it lapses when that day begins (UTC)
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        parsed = parse_time(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise InputError(f"{where}: until {value!r} is not a date or an RFC 3339 time")
    return parsed


def label_selector(text: str, where: str = "labels") -> dict:
    """kubectl's equality-based selector (`a=b,c!=d,e,!f`) as a LabelSelector's matchExpressions."""
    expressions = []
    for term in (t.strip() for t in text.split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            expressions.append({"key": key, "operator": "NotIn", "values": [value]})
        elif "=" in term:
            key, value = term.split("=", 1)
            expressions.append({"key": key.rstrip("="), "operator": "In", "values": [value]})
        elif term.startswith("!") and len(term) > 1:
            expressions.append({"key": term[1:], "operator": "DoesNotExist"})
        elif term:
            expressions.append({"key": term, "operator": "Exists"})
        else:
            raise InputError(f"{where}: empty term in the label selector {text!r}")
    return {"matchExpressions": expressions}
