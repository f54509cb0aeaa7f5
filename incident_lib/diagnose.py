"""Diagnosing the pods of a snapshot: select, gather facts, run every rule, rank."""

from __future__ import annotations

from incident_lib.classify import pods as _pod_rules  # noqa: F401  (registers the pod rules)
from incident_lib.classify.diagnosis import Diagnosis, Subject, sort_key
from incident_lib.classify.registry import rules_for
from incident_lib.facts import PodFacts, pod_facts
from incident_lib.names import dns_label, dns_subdomain, not_found
from incident_lib.snapshot import Snapshot


def diagnose_pods(
    snapshot: Snapshot, namespace: str | None = None, pod: str | None = None
) -> list[Diagnosis]:
    """Diagnose one pod, the pods of a namespace, or every pod; most severe first, in a stable order."""
    selected = select_pods(snapshot, namespace, pod)
    return sorted((diagnose_pod(facts) for facts in pod_facts(snapshot, selected)), key=sort_key)


def diagnose_all(snapshot: Snapshot, namespace: str | None = None) -> list[Diagnosis]:
    """Every subject of the snapshot (or of one namespace), findings first in a stable order."""
    return diagnose_pods(snapshot, namespace)


def diagnose_pod(facts: PodFacts) -> Diagnosis:
    """Run every pod rule on one pod's facts and rank what fired."""
    findings = [f for rule in rules_for("Pod") if (f := rule.evaluate(facts)) is not None]
    subject = Subject("Pod", facts.pod.namespace, facts.pod.name)
    return Diagnosis.from_findings(subject, findings, missing_evidence(facts))


def missing_evidence(facts: PodFacts) -> tuple[str, ...]:
    """What the diagnosis could have used but the snapshot lacks, so readers know what was not checked."""
    missing = [f"prometheus: {signal} of namespace {facts.pod.namespace}" for signal in facts.metrics.missing]
    for container in facts.pod.containers:
        if container.last_terminated and container.name not in facts.previous_logs:
            missing.append(f"log: previous log of container {container.name} (not captured or rotated)")
    return tuple(missing)


def select_pods(snapshot: Snapshot, namespace: str | None, pod: str | None) -> list[dict]:
    """The raw pods to diagnose; an unknown namespace or pod is an InputError naming the closest ones."""
    pods = snapshot.of_kind("Pod")
    if namespace is not None:
        dns_label(namespace, "namespace")
        if namespace not in snapshot.namespaces():
            raise not_found("namespace", namespace, snapshot.namespaces())
        pods = [p for p in pods if p["metadata"].get("namespace") == namespace]
    if pod is not None:
        dns_subdomain(pod, "pod")
        matches = [p for p in pods if p["metadata"].get("name") == pod]
        if not matches:
            where = f" in namespace {namespace}" if namespace else ""
            raise not_found(f"pod{where}", pod, [p["metadata"].get("name", "") for p in pods])
        pods = matches
    return pods
