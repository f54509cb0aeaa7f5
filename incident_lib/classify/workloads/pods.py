"""The pods behind a workload and the evidence their diagnoses give about it."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.pod import Pod

SHOWN = 3


def workload_pods(facts: ObjectFacts) -> list[Pod]:
    """The pods a Deployment (through its ReplicaSets), StatefulSet, DaemonSet or Job controls."""
    obj = facts.obj
    if obj.kind == "Deployment":
        sets = facts.index.owned(obj.namespace, "Deployment", obj.name, "ReplicaSet")
        raws = [
            p
            for rs in sets
            for p in facts.index.owned(obj.namespace, "ReplicaSet", rs["metadata"]["name"], "Pod")
        ]
    else:
        raws = facts.index.owned(obj.namespace, obj.kind, obj.name, "Pod")
    return sorted((Pod(r) for r in raws), key=lambda p: p.name)


def failing_pod_evidence(facts: ObjectFacts, pods: list[Pod]) -> list[Evidence]:
    """The diagnoses of the pods that are findings, earliest first: why the workload is short."""
    diagnoses = [d for p in pods if (d := facts.pod_diagnosis(p)) is not None and d.is_finding]
    diagnoses.sort(key=lambda d: (min((e.at for e in d.evidence if e.at), default="9999"), d.subject.name))
    return [cite.diagnosis(d, 0.2) for d in diagnoses[:SHOWN]]


def first_cause(evidence: Evidence) -> str:
    """`pod web-1 oom_killed`: the subject and root cause of a cited diagnosis, for summaries."""
    kind, name = evidence.field.split("/", 1)
    return f"{kind.lower()} {name} {str(evidence.value).split(' ', 1)[0]}"
