"""Correlation: what callers feel (5xx, latency) traced to the first finding in time behind it.

A Service with `high_error_rate` or `high_latency` often only relays a problem that started elsewhere
in its namespace: payments pods OOM-killed, then payments endpoints not ready, then backend-api 5xx.
Each traffic finding gets the earliest other finding of its namespace that started in the half hour
before it as evidence (weight 0: context, not corroboration), and its summary names that first cause.
A cause that is not itself traffic (an OOM kill, endpoints not ready) is preferred; otherwise another
Service's traffic finding that started strictly earlier (payments slow first, then backend-api slow
because it waits on payments). When the first cause names a change (a VirtualService that injects a
delay, evidence of source `change`), the change is cited too, and the summary names it: what changed is
what people look for first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

from incident_lib.classify import cite
from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.k8s.objects import format_time, parse_time

TRAFFIC = frozenset({"high_error_rate", "high_latency"})
HORIZON = timedelta(minutes=30)  # an older finding is history, not the cause of what callers feel now


def started(diagnosis: Diagnosis) -> str:
    """When the evidence of a diagnosis begins (RFC 3339), or "" when none of it is dated."""
    return min((e.at for e in diagnosis.evidence if e.at), default="")


def with_first_causes(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """The diagnoses, with each traffic finding linked to the first cause in time of its namespace."""
    findings: dict[str, list[tuple[str, Diagnosis]]] = defaultdict(list)
    for d in diagnoses:
        if d.is_finding and (begin := started(d)):
            findings[d.subject.namespace].append((begin, d))
    if not any(d.root_cause in TRAFFIC for _, ds in findings.items() for _, d in ds):
        return diagnoses
    return [_linked(d, findings[d.subject.namespace]) if d.root_cause in TRAFFIC else d for d in diagnoses]


def _linked(traffic: Diagnosis, namespace: list[tuple[str, Diagnosis]]) -> Diagnosis:
    begin = started(traffic)
    if not begin:
        return traffic
    horizon = format_time(parse_time(begin) - HORIZON)
    earlier = [
        (at, d)
        for at, d in namespace
        if d.subject != traffic.subject
        and horizon <= at <= begin
        and (d.root_cause not in TRAFFIC or at < begin)
    ]
    if not earlier:
        return traffic
    at, first = min(
        earlier, key=lambda p: (p[1].root_cause in TRAFFIC, p[0], p[1].subject.kind, p[1].subject.name)
    )
    s = first.subject
    cause = f"{s.kind.lower()} {s.name} {first.root_cause}"
    change = next((e for e in first.evidence if e.source == "change"), None)
    linked = [cite.diagnosis(first, 0.0, source="cause")]
    if change is None:
        summary = f"First cause in time: {cause} at {at}."
    else:
        linked.append(replace(change, weight=0.0))
        summary = f"First cause in time: {change.field} at {change.at} ({change.value}), behind {cause}."
    return replace(traffic, evidence=(*traffic.evidence, *linked), summary=f"{traffic.summary} {summary}")
