"""`healthy` for a Service: it has ready endpoints."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts


@rule("Service", "healthy", version=1, severity="info", needs=("Endpoints",))
def healthy(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.6 / 0.4 | ready pods selected / ready Endpoints addresses
    """
    svc = facts.obj
    selector = facts.spec.get("selector")
    if facts.spec.get("type") == "ExternalName":
        evidence = (cite.object_field(svc, "spec.externalName", facts.spec.get("externalName"), 0.6),)
        return Match("An ExternalName Service: a DNS alias, with no endpoints to check.", evidence)
    evidence = []
    if selector:
        pods = facts.view.serving_pods(svc.namespace, selector)
        ready = [p for p in pods if p.condition_is("Ready", "True")]
        if ready:
            evidence.append(
                cite.object_field(svc, "spec.selector", f"{len(ready)} of {len(pods)} pod(s) ready", 0.6)
            )
    endpoints = facts.view.endpoints(svc.namespace, svc.name)
    subsets = (endpoints.raw.get("subsets") if endpoints else None) or []
    addresses = sum(len(s.get("addresses") or []) for s in subsets)
    if addresses:
        evidence.append(
            cite.object_field(endpoints, "subsets[*].addresses", f"{addresses} ready address(es)", 0.4)
        )
    if evidence:
        return Match("The Service has ready endpoints.", tuple(evidence))
    if not selector:
        # Endpoints of a Service without a selector are written by whoever owns it (a controller, an
        # operator, EndpointSlices alone): none in the snapshot is not evidence of a fault.
        evidence = (cite.object_field(svc, "spec.selector", "none: endpoints are managed outside it", 0.3),)
        return Match("The Service has no selector; its endpoints are managed elsewhere.", evidence)
    return None
