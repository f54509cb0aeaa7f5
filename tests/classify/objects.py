"""What every rule example needs around its literal objects: a snapshot seen at 10:05, the diagnosis of
one subject through the public API, the evidence it cites, and a Prometheus range response. Also the
diagnosis of a hand-written fixture pod, for the examples too long to write inline."""

from __future__ import annotations

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.diagnose import diagnose_all, diagnose_pods
from incident_lib.k8s.objects import parse_time
from incident_lib.metrics.catalogue import promql
from incident_lib.snapshot import Snapshot
from tests.helpers import fixture_snapshot

NOW = parse_time("2025-12-17T10:05:00Z")
NS = "shop"  # every namespaced example lives here


def snapshot(*objects: dict, metrics: dict[str, dict] | None = None) -> Snapshot:
    """The objects (and Prometheus responses, keyed `<signal>.<namespace>`) as captured at NOW."""
    return Snapshot(captured_at=NOW, objects=list(objects), metrics=metrics or {})


def pod_diagnosis(*objects: dict, metrics: dict[str, dict] | None = None) -> Diagnosis:
    """The diagnosis of the one pod among `objects` (the others are its events, LimitRanges, Jobs…)."""
    [diagnosis] = diagnose_pods(snapshot(*objects, metrics=metrics), NS)
    return diagnosis


def diagnosis_of(kind: str, name: str, *objects: dict, metrics: dict[str, dict] | None = None) -> Diagnosis:
    """The diagnosis of `kind/name`, made beside those of every other object (its pods, first)."""
    diagnoses = diagnose_all(snapshot(*objects, metrics=metrics))
    return next(d for d in diagnoses if (d.subject.kind, d.subject.name) == (kind, name))


def cited(diagnosis: Diagnosis, field: str):
    """The value of the evidence the diagnosis cites for `field` (the first, when there are several)."""
    values = [e.value for e in diagnosis.evidence if e.field == field]
    assert values, f"no evidence on {field}; cited: {[e.field for e in diagnosis.evidence]}"
    return values[0]


def at(clock: str) -> float:
    """The Unix time Prometheus gives for `HH:MM` on the day of NOW."""
    return parse_time(f"2025-12-17T{clock}:00Z").timestamp()


def range_response(signal: str, *series: dict) -> dict:
    """A range-query response of `signal` over the namespace, as a snapshot stores it; each series is
    `{"metric": {labels}, "values": [[time, "value"], ...]}` as Prometheus answers."""
    return {
        "status": "success",
        "data": {"resultType": "matrix", "result": list(series)},
        "query": promql(signal, NS),
        "start": "2025-12-17T09:55:00Z",
        "end": "2025-12-17T10:05:00Z",
        "step": "60s",
    }


def fixture_diagnosis(name: str) -> Diagnosis:
    """The diagnosis of the pod of a hand-written fixture, tests/fixtures/pods/<name>.json."""
    [diagnosis] = diagnose_pods(fixture_snapshot(name))
    return diagnosis
