"""Diagnosing a snapshot: select the subjects, gather their facts, run every rule, rank.

Pods are diagnosed first; Services, workloads and nodes then read those pod diagnoses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from incident_lib.classify import cite
from incident_lib.classify.correlate import with_first_causes
from incident_lib.classify.diagnosis import Diagnosis, Subject, ordered
from incident_lib.classify.evidence import Finding
from incident_lib.classify.registry import SUBJECTS, RuleError, rules_for
from incident_lib.classify.thresholds import DEFAULTS, Thresholds
from incident_lib.cluster import ClusterView
from incident_lib.facts import TRAFFIC_SIGNALS, ObjectFacts, PodFacts, object_facts, pod_facts
from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.catalogue import SIGNALS
from incident_lib.names import dns_label, dns_subdomain, not_found
from incident_lib.snapshot import Snapshot

# Subjects besides pods, in the order they are diagnosed (the registry's order). Nodes are cluster-scoped.
OBJECT_KINDS = tuple(kind for kind in SUBJECTS if kind != "Pod")


def diagnose_pods(
    snapshot: Snapshot,
    namespace: str | None = None,
    pod: str | None = None,
    thresholds: Thresholds = DEFAULTS,
) -> list[Diagnosis]:
    """Diagnose one pod, the pods of a namespace, or every pod; most severe first, in a stable order."""
    selected = select(snapshot, "Pod", namespace, pod)
    return ordered(_pods(snapshot.view, selected, thresholds))


def diagnose_service(
    snapshot: Snapshot, namespace: str, name: str, thresholds: Thresholds = DEFAULTS
) -> Diagnosis:
    """Diagnose one Service, with the diagnoses of its namespace behind it."""
    select(snapshot, "Service", namespace, name)
    subject = Subject("Service", namespace, name)
    return next(d for d in diagnose_all(snapshot, namespace, thresholds) if d.subject == subject)


def diagnose_all(
    snapshot: Snapshot, namespace: str | None = None, thresholds: Thresholds = DEFAULTS
) -> list[Diagnosis]:
    """Every pod, Service, workload and (without a namespace) node: findings first, in a stable order."""
    view = snapshot.view
    diagnoses = _pods(view, select(snapshot, "Pod", namespace, None), thresholds)
    objects = [
        obj
        for kind in OBJECT_KINDS
        if not (namespace and kind == "Node")
        for obj in view.of_kind(kind)
        if namespace is None or obj.namespace == namespace
    ]
    by_pod = MappingProxyType({(d.subject.namespace, d.subject.name): d for d in diagnoses})
    return ordered(with_first_causes(diagnoses + _objects(view, objects, by_pod, thresholds)))


def _pods(view: ClusterView, pods: list[Pod], thresholds: Thresholds) -> list[Diagnosis]:
    return [diagnose_pod(facts) for facts in pod_facts(view, pods, thresholds)]


def _objects(
    view: ClusterView,
    objects: list[ObjectView],
    by_pod: Mapping[tuple[str, str], Diagnosis],
    thresholds: Thresholds,
) -> list[Diagnosis]:
    return [diagnose_object(facts) for facts in object_facts(view, objects, by_pod, thresholds)]


def diagnose_pod(facts: PodFacts) -> Diagnosis:
    """Run every pod rule on one pod's facts and rank what fired."""
    findings, failed = _findings("Pod", facts)
    subject = Subject("Pod", facts.pod.namespace, facts.pod.name)
    return Diagnosis.from_findings(subject, findings, (*failed, *missing_evidence(facts)))


def diagnose_object(facts: ObjectFacts) -> Diagnosis:
    """Run the rules of the subject's kind; what no rule flags is healthy, with the evidence that says so."""
    obj = facts.obj
    findings, failed = _findings(obj.kind, facts)
    findings = findings or [_unrecognised(facts)]
    missing = (*failed, *traffic_missing(facts), *unreadable(facts.view.snapshot, obj))
    return Diagnosis.from_findings(Subject(obj.kind, obj.namespace, obj.name), findings, missing)


def _findings(subject: str, facts: PodFacts | ObjectFacts) -> tuple[list[Finding], list[str]]:
    """What the rules of `subject` found, and one line for each external rule that failed on it: what
    that rule would have checked was not checked, and every other rule still ran."""
    findings, failed = [], []
    for rule in rules_for(subject):
        try:
            if (finding := rule.evaluate(facts)) is not None:
                findings.append(finding)
        except RuleError as exc:
            failed.append(str(exc))
    return findings, failed


def _unrecognised(facts: ObjectFacts) -> Finding:
    """No rule, not even `healthy`, recognised the object's state: say so, with the state seen."""
    obj = facts.obj
    conditions = ", ".join(f"{c.get('type')}={c.get('status')}" for c in facts.status.get("conditions") or [])
    evidence = (cite.object_field(obj, "status.conditions", conditions or "none", 0.1),)
    return Finding(
        "unknown", f"{obj.kind.lower()}s.unknown/1", "warning", "No rule recognised this state.", evidence
    )


def traffic_missing(facts: ObjectFacts) -> tuple[str, ...]:
    """Missing traffic evidence: one profile (Istio or the services' HTTP metrics) is enough."""
    missing = set(facts.traffic.missing)
    profiles = {SIGNALS[s].profile for s in TRAFFIC_SIGNALS}
    if any(not any(SIGNALS[s].profile == p and s in missing for s in TRAFFIC_SIGNALS) for p in profiles):
        return ()
    return ("prometheus: no traffic series for this Service (neither istio_* nor http_*)",)


def missing_evidence(facts: PodFacts) -> tuple[str, ...]:
    """What the diagnosis could have used but the snapshot lacks, so readers know what was not checked."""
    missing = [f"prometheus: no {signal} series for this pod" for signal in facts.metrics.missing]
    for container in facts.pod.containers:
        if container.last_terminated and container.name not in facts.previous_logs:
            missing.append(f"log: previous log of container {container.name} (not captured or rotated)")
    return (*missing, *unreadable(facts.view.snapshot, facts.pod))


def unreadable(snapshot: Snapshot, subject: ObjectView) -> tuple[str, ...]:
    """The fields about `subject` that had the wrong type: read as absent, so not checked."""
    lines = snapshot.unreadable.get((subject.kind, subject.namespace, subject.name), ())
    return tuple(f"k8s: {line} (read as absent)" for line in lines)


def check_namespace(snapshot: Snapshot, namespace: str) -> None:
    """Raise InputError unless `namespace` is a valid name the snapshot holds (naming the closest ones)."""
    dns_label(namespace, "namespace")
    if namespace not in snapshot.namespaces():
        raise not_found("namespace", namespace, snapshot.namespaces())


def select(snapshot: Snapshot, kind: str, namespace: str | None, name: str | None) -> list[ObjectView]:
    """The objects to diagnose, from the snapshot's view (pods as `Pod`s); an unknown namespace or name is
    an InputError naming the closest ones."""
    objects = list(snapshot.view.of_kind(kind))
    if namespace is not None:
        check_namespace(snapshot, namespace)
        objects = [o for o in objects if o.namespace == namespace]
    if name is not None:
        (dns_subdomain if kind == "Pod" else dns_label)(name, kind.lower())
        matches = [o for o in objects if o.name == name]
        if not matches:
            where = f" in namespace {namespace}" if namespace else ""
            raise not_found(f"{kind.lower()}{where}", name, [o.name for o in objects])
        objects = matches
    return objects
