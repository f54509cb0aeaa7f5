"""Correlation: what callers feel (5xx, latency) traced to the first finding in time behind it.

A Service with `high_error_rate` or `high_latency` often only relays a problem that started elsewhere
in its namespace: payments pods OOM-killed, then payments endpoints not ready, then backend-api 5xx.
Each traffic finding gets the earliest other finding of its namespace that started no later than it
as evidence, and its summary names that first cause. A cause that is not itself traffic (an OOM kill,
endpoints not ready) is preferred; otherwise another Service's traffic finding that started strictly
earlier (payments slow first, then backend-api slow because it waits on payments).
"""

from __future__ import annotations

from dataclasses import replace

from incident_lib.classify import cite
from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.classify.evidence import confidence

TRAFFIC = frozenset({"high_error_rate", "high_latency"})


def started(diagnosis: Diagnosis) -> str:
    """When the evidence of a diagnosis begins (RFC 3339), or "" when none of it is dated."""
    return min((e.at for e in diagnosis.evidence if e.at), default="")


def with_first_causes(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """The diagnoses, with each traffic finding linked to the first cause in time of its namespace."""
    return [_linked(d, diagnoses) if d.root_cause in TRAFFIC else d for d in diagnoses]


def _linked(traffic: Diagnosis, diagnoses: list[Diagnosis]) -> Diagnosis:
    begin = started(traffic)
    earlier = [
        d
        for d in diagnoses
        if d.is_finding
        and d.subject != traffic.subject
        and d.subject.namespace == traffic.subject.namespace
        and started(d)
        and (not begin or started(d) <= begin)
        and (d.root_cause not in TRAFFIC or started(d) < begin)
    ]
    if not earlier:
        return traffic
    first = min(earlier, key=lambda d: (d.root_cause in TRAFFIC, started(d), d.subject.kind, d.subject.name))
    evidence = (*traffic.evidence, cite.diagnosis(first, 0.1, source="cause"))
    s = first.subject
    return replace(
        traffic,
        evidence=evidence,
        confidence=confidence(e.weight for e in evidence),
        summary=f"{traffic.summary} First cause in time: {s.kind.lower()} {s.name} {first.root_cause} "
        f"at {started(first)}.",
    )
