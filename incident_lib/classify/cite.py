"""Evidence about any API object, events, metrics and other diagnoses, each with how to look it up again."""

from __future__ import annotations

from incident_lib.classify.evidence import Evidence
from incident_lib.k8s.event import Event
from incident_lib.k8s.field_lookup import field_lookup
from incident_lib.k8s.objects import ObjectView
from incident_lib.metrics.pod import Series


def object_field(obj: ObjectView, path: str, value, weight: float, at: str | None = None) -> Evidence:
    """A field of an object, `path` as in `status.phase` or `status.conditions[Progressing].reason`."""
    return Evidence(
        source=f"{obj.kind.lower()}.{path.split('.', 1)[0]}",
        field=path,
        value=value,
        weight=weight,
        at=at,
        lookup=field_lookup(obj, path),
    )


def event(namespace: str, item: Event, weight: float) -> Evidence:
    """An event, with how many times it was seen. `namespace` is the subject's (where to list events)."""
    ref = item.involved
    selector = f"involvedObject.kind={ref.get('kind', '')},involvedObject.name={ref.get('name', '')}"
    scope = f"-n {namespace}" if ref.get("namespace") else "-A"
    count = f" (x{item.count})" if item.count > 1 else ""
    return Evidence(
        source="event",
        field=f"{ref.get('kind', '')}/{ref.get('name', '')} {item.type} {item.reason}".strip(),
        value=f"{item.message}{count}",  # made safe to show by Evidence: a hand-made bundle was never
        weight=weight,
        at=item.last_seen,
        lookup=f"kubectl get events {scope} --field-selector {selector},reason={item.reason}",
    )


def metric(series: Series, value: str, weight: float, at: str | None = None) -> Evidence:
    """A fact read from a Prometheus series: the exact query and range re-run it."""
    return Evidence(
        source="prometheus", field=series.signal, value=value, weight=weight, at=at, lookup=series.lookup
    )


def diagnosis(d, weight: float, source: str = "diagnosis") -> Evidence:
    """Another subject's diagnosis, with the command that shows it. `source` is `diagnosis` for a part
    of the subject (a pod behind a Service) and `cause` for an earlier finding that led to it."""
    s = d.subject
    first = min((e.at for e in d.evidence if e.at), default=None)
    return Evidence(
        source=source,
        field=f"{s.kind}/{s.name}",
        value=f"{d.root_cause} ({d.confidence:.2f}): {d.summary}",
        weight=weight,
        at=first,
        lookup=f"incident-lab diagnose --bundle <bundle> -n {s.namespace} --{s.kind.lower()} {s.name}",
    )
