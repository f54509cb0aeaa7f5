"""Evidence about a pod, read from its facts: its fields, its containers' spec and status, its events,
metrics and previous logs; each with the command or query that shows the same fact again. Built on
`classify.cite`, which cites any object."""

from __future__ import annotations

from dataclasses import replace

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence
from incident_lib.facts import PodFacts
from incident_lib.k8s.event import Event
from incident_lib.k8s.pod import Container
from incident_lib.redact import redact_object
from incident_lib.text_safety import safe_text


def pod_field(facts: PodFacts, path: str, value, weight: float, at: str | None = None) -> Evidence:
    """A field of the pod object, `path` as in `status.phase` or `status.conditions[Ready].status`."""
    return cite.object_field(facts.pod, path, value, weight, at)


def container_status(
    facts: PodFacts, container: Container, subpath: str, value, weight: float, at: str | None = None
) -> Evidence:
    """A field of one container's status, `subpath` as in `lastState.terminated.reason`."""
    key = "initContainerStatuses" if container.init else "containerStatuses"
    return _container_field(facts, container, f"status.{key}", subpath, value, weight, at)


def container_spec(facts: PodFacts, container: Container, subpath: str, value, weight: float) -> Evidence:
    """A field of one container's spec, `subpath` as in `resources.limits.memory`; a probe's headers and
    the like are redacted, since a hand-made bundle was never."""
    key = "initContainers" if container.init else "containers"
    return _container_field(facts, container, f"spec.{key}", subpath, redact_object(value), weight, None)


def _container_field(
    facts: PodFacts, container: Container, parent: str, subpath: str, value, weight: float, at: str | None
) -> Evidence:
    evidence = cite.object_field(facts.pod, f"{parent}[{container.name}].{subpath}", value, weight, at)
    # status fields are named as docs/design.md's example names them: containerStatuses[app].lastState…
    return (
        replace(evidence, field=f"{container.status_path}.{subpath}")
        if parent.startswith("status")
        else evidence
    )


def event(facts: PodFacts, item: Event, weight: float) -> Evidence:
    """An event about the pod (or its node), with how many times it was seen."""
    return cite.event(facts.pod.namespace, item, weight)


metric = cite.metric


def log_line(facts: PodFacts, container: str, line: str, weight: float) -> Evidence:
    """The last meaningful line a crashed container printed."""
    pod = facts.pod
    return Evidence(
        source="log",
        field=f"logs/{pod.namespace}/{pod.name}/{container}.previous.log",
        value=line,
        weight=weight,
        lookup=f"kubectl logs -n {pod.namespace} {pod.name} -c {container} --previous --tail=50",
    )


def last_log_line(facts: PodFacts, container: str) -> Evidence | None:
    """Evidence of the previous instance's last non-empty log line, when the log was captured."""
    text = facts.previous_logs.get(container)
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    # made safe before it is cut: a secret cut in half is no longer recognised
    return log_line(facts, container, safe_text(lines[-1])[:300], 0.05) if lines else None
