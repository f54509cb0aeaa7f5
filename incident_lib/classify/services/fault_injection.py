"""`fault_injection`: an Istio VirtualService injects a fault into the Service's requests, and callers
feel it: a delay while p99 latency is over the SLO, an abort while the 5xx ratio is over its threshold.

The fault is the cause and the slow or failing Service its symptom, so the finding explains
`high_latency` and `high_error_rate`. A fault on another host, or on 0% of the requests, is not one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_lib.changes import Change, Fault, changes_of, istio_faults
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.services.traffic import high_error_rate, high_latency
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.objects import ObjectView, format_time, parse_time
from incident_lib.report.timeline import duration

HORIZON = timedelta(minutes=30)  # a change older than this before the symptom is context, not a trigger
SYMPTOMS = {"delay": high_latency, "abort": high_error_rate}


@rule(
    "Service",
    "fault_injection",
    version=1,
    severity="critical",
    explains=("high_error_rate", "high_latency"),
    needs=("VirtualService",),
)
def fault_injection(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.6 | a VirtualService fault on the Service's host: a delay (`fixedDelay`) or an abort
      (`httpStatus`) on a share of the requests over 0
    - 0.3 / 0 | the change that set it (creation, or the latest managedFields write) within 30 min
      before the symptom / earlier or later
    - as `high_latency` / `high_error_rate` | the symptom: p99 over the SLO for a delay, 5xx over the
      threshold for an abort
    """
    svc = facts.obj
    faults = [
        (vs, fault)
        for vs in sorted(facts.view.of_kind("VirtualService"), key=lambda v: (v.namespace, v.name))
        if _routes_to(vs, svc)
        for fault in istio_faults(vs)
        if fault.percent > 0
    ]
    symptoms = {action: SYMPTOMS[action](facts) for action in sorted({f.action for _, f in faults})}
    felt = [(vs, fault, symptoms[fault.action]) for vs, fault in faults if symptoms[fault.action]]
    if not felt:
        return None
    vs, fault, symptom = felt[0]
    cited = {(v.namespace, v.name, f): _fault_evidence(v, f) for v, f, _ in felt}
    evidence = list(cited.values())
    changed, when = _change(changes_of(vs), parse_time(min(e.at for e in symptom.evidence if e.at)))
    evidence += [*changed, *symptom.evidence]
    recs = [
        _remove(v, f, (cited[v.namespace, v.name, f], *(changed if v is vs else ()), *s.evidence), s)
        for v, f, s in felt
    ]
    return Match(
        f"VirtualService {vs.namespace}/{vs.name} injects {fault} to {svc.name}{when}. {symptom.summary}",
        tuple(evidence),
        (*recs, _who(vs, evidence)),
        severity="warning" if all(f.action == "delay" for _, f, _ in felt) else None,
    )


def _routes_to(vs: ObjectView, svc: ObjectView) -> bool:
    """True when one of the VirtualService's hosts names the Service: `name` (in the VirtualService's
    namespace), `name.namespace`, `name.namespace.svc[.<cluster domain>]`, or `*.namespace.svc…`."""
    for host in vs.spec.get("hosts") or []:
        parts = str(host).split(".")
        namespace = parts[1] if len(parts) > 1 else vs.namespace
        if len(parts) > 2 and parts[2] != "svc":
            continue  # a host outside the cluster (an external name)
        if parts[0] in (svc.name, "*") and namespace == svc.namespace:
            return True
    return False


def _change(changes: list[Change], began: datetime) -> tuple[tuple[Evidence, ...], str]:
    """The change that set the fault, as evidence, and how the summary says when: the latest change at or
    before the symptom began, else the first one after it (the fault was edited since)."""
    before = [c for c in changes if c.at <= began]
    change = before[-1] if before else next(iter(changes), None)
    if change is None:
        return (), ""
    lag = began - change.at
    evidence = change.evidence(0.3 if timedelta(0) <= lag <= HORIZON else 0.0)
    after = f"{duration(lag)} before the symptom" if lag >= timedelta(0) else "after the symptom began"
    return (evidence,), f" ({change.what} at {format_time(change.at)}, {after})"


def _fault_evidence(vs: ObjectView, fault: Fault) -> Evidence:
    path = f"spec.http[{fault.route}].fault.{fault.action}"
    return Evidence(
        source="virtualservice.spec",
        field=path,
        value=str(fault),
        weight=0.6,
        lookup=f"kubectl get virtualservice -n {vs.namespace} {vs.name} -o jsonpath='{{.{path}}}'",
    )


def _remove(vs: ObjectView, fault: Fault, evidence: tuple[Evidence, ...], symptom: Match) -> Recommendation:
    patch = f'[{{"op": "remove", "path": "/spec/http/{fault.route}/fault"}}]'
    return Recommendation(
        action=f"Remove the fault from route {fault.route} of VirtualService {vs.namespace}/{vs.name} "
        "(or revert the change that added it)",
        why=f"it injects {fault}, and callers feel it: {symptom.evidence[0].value}",
        evidence=evidence,
        command=f"kubectl patch virtualservice {vs.name} -n {vs.namespace} --type=json -p='{patch}'",
    )


def _who(vs: ObjectView, evidence: list[Evidence]) -> Recommendation:
    return Recommendation(
        action="Find who set the fault and why (a chaos drill left in place, a test route promoted)",
        why="the managers and times of each write are in the object's managedFields",
        evidence=tuple(evidence[:2]),
        command=f"kubectl get virtualservice {vs.name} -n {vs.namespace} --show-managed-fields -o yaml",
    )
