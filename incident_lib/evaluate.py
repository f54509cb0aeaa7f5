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
    pairs = Counter((o.case.label, o.diagnosis.root_cause) for o in outcomes)
    labels = sorted({label for label, _ in pairs})
    answers = sorted({answer for _, answer in pairs})
    width = max(len(x) for x in [*labels, *answers, "label \\ answer"])
    lines.append("label \\ answer".ljust(width) + "  " + "  ".join(a[:8].rjust(8) for a in answers))
    for label in labels:
        counts = "  ".join(str(pairs.get((label, a), "") or ".").rjust(8) for a in answers)
        lines.append(label.ljust(width) + "  " + counts)
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
