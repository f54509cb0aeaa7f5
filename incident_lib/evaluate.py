"""Accuracy of the classifiers over labelled cases: top-1 accuracy, a confusion matrix, every miss,
and any recommendation that cites evidence its diagnosis does not hold."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.corpus import Case, load_cases
from incident_lib.diagnose import diagnose_all

ANY_FINDING = "other"  # a failed pod whose cause has no name yet: any unhealthy answer is right


@dataclass(frozen=True)
class Outcome:
    case: Case
    diagnosis: Diagnosis

    @property
    def correct(self) -> bool:
        if self.case.label == ANY_FINDING:
            return self.diagnosis.is_finding
        return self.diagnosis.root_cause == self.case.label

    @property
    def uncited(self) -> bool:
        """True when a recommendation cites evidence that the diagnosis does not hold."""
        held = {id(e) for e in self.diagnosis.evidence}
        return any(
            not r.evidence or {id(e) for e in r.evidence} - held for r in self.diagnosis.recommendations
        )


def evaluate(folder: Path) -> list[Outcome]:
    """Diagnose every case under `folder` (pods/ and cluster/) and pair it with its answer."""
    return [Outcome(case, diagnose_all(case.snapshot)[0]) for case in load_cases(folder)]


def report(outcomes: list[Outcome]) -> str:
    """Accuracy, the confusion matrix (label by answer) and every miss, as plain text."""
    correct = sum(o.correct for o in outcomes)
    lines = [f"top-1 accuracy: {correct}/{len(outcomes)} = {correct / len(outcomes):.1%}", ""]
    lines += confusion_matrix(outcomes)
    misses = [o for o in outcomes if not o.correct]
    lines += ["", f"misses: {len(misses)}"]
    lines += [
        f"  {o.case.path.name}: expected {o.case.label}, got {o.diagnosis.root_cause} "
        f"({o.diagnosis.confidence:.2f}) on {o.diagnosis.subject.kind}/{o.diagnosis.subject.name}"
        for o in misses
    ]
    uncited = [o for o in outcomes if o.uncited]
    lines += [f"recommendations citing absent evidence: {len(uncited)}"]
    lines += [f"  {o.case.path.name}" for o in uncited]
    return "\n".join(lines)


def confusion_matrix(outcomes: list[Outcome]) -> list[str]:
    """Rows are labels, columns answers, both numbered from one list of full names, so every right
    answer is on the diagonal; a finding for an `other` case is counted as the answer `other`."""
    pairs = Counter((o.case.label, _answer(o)) for o in outcomes)
    names = sorted({name for pair in pairs for name in pair})
    labels = sorted({label for label, _ in pairs})
    number = {name: str(i) for i, name in enumerate(names, 1)}
    digits = len(str(len(names)))
    cell, width = digits + 2, digits + 1 + max(len(name) for name in labels)
    lines = ["label \\ answer".ljust(width) + "".join(number[n].rjust(cell) for n in names)]
    for label in labels:
        counts = "".join(str(pairs.get((label, n), "") or ".").rjust(cell) for n in names)
        lines.append(f"{number[label]:>{digits}} {label}".ljust(width) + counts)
    answers_only = [f"{number[n]} {n}" for n in names if n not in labels]
    if answers_only:
        lines.append("answers that are no label: " + ", ".join(answers_only))
    return lines


def _answer(outcome: Outcome) -> str:
    return (
        ANY_FINDING if outcome.case.label == ANY_FINDING and outcome.correct else outcome.diagnosis.root_cause
    )
