"""The evidence the diagnoses of a workload's pods give about it."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.pod import Pod

SHOWN = 3


def failing_pod_evidence(facts: ObjectFacts, pods: list[Pod]) -> list[Evidence]:
    """The diagnoses of the pods that are findings, earliest first: why the workload is short."""
    diagnoses = [d for p in pods if (d := facts.pod_diagnosis(p)) is not None and d.is_finding]
    diagnoses.sort(key=lambda d: (min((e.at for e in d.evidence if e.at), default="9999"), d.subject.name))
    return [cite.diagnosis(d, 0.2) for d in diagnoses[:SHOWN]]


def first_cause(evidence: Evidence) -> str:
    """`pod web-1 oom_killed`: the subject and root cause of a cited diagnosis, for summaries."""
    kind, name = evidence.field.split("/", 1)
    return f"{kind.lower()} {name} {str(evidence.value).split(' ', 1)[0]}"
