"""A sweep: every subject of the chosen namespaces diagnosed and ranked together, as scheduled runs need."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.diagnose import check_namespace, diagnose_all
from incident_lib.snapshot import Snapshot


def sweep(snapshot: Snapshot, namespaces: Sequence[str] = ()) -> list[Diagnosis]:
    """Diagnoses of every subject of `namespaces` (all of the snapshot's, nodes included, when empty),
    findings first, most severe first, in the same order on every run. An unknown namespace is an
    InputError naming the closest ones.

    The whole snapshot is diagnosed once and then filtered, so the ranking across namespaces is the
    library's own (`diagnose_all`), including findings that explain others.
    """
    for namespace in namespaces:
        check_namespace(snapshot, namespace)
    diagnoses = diagnose_all(snapshot)
    if not namespaces:
        return diagnoses
    return [d for d in diagnoses if d.subject.namespace in set(namespaces)]


def sweep_counts(diagnoses: list[Diagnosis]) -> str:
    """One line: how many subjects were checked and how many findings of each severity and root cause."""
    findings = [d for d in diagnoses if d.is_finding]
    causes = Counter(d.root_cause for d in findings)
    severities = Counter(d.severity for d in findings)
    detail = "; ".join(
        [
            ", ".join(f"{n} {s}" for s, n in sorted(severities.items())),
            ", ".join(f"{c} x{n}" for c, n in sorted(causes.items())),
        ]
    )
    return f"{len(diagnoses)} subjects checked, {len(findings)} findings" + (
        f" ({detail})" if findings else ""
    )
