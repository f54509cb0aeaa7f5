"""`healthy` for a Service: it has ready endpoints."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.objects import ObjectView


@rule("Service", "healthy", version=1, severity="info")
def healthy(facts: ObjectFacts) -> Match | None:
    svc = facts.obj
    selector = facts.spec.get("selector")
    evidence = []
    if selector:
        pods = facts.index.serving_pods(svc.namespace, selector)
        ready = [p for p in pods if p.condition_is("Ready", "True")]
        if ready:
            evidence.append(
                cite.object_field(svc, "spec.selector", f"{len(ready)} of {len(pods)} pod(s) ready", 0.6)
            )
    endpoints = facts.index.get("Endpoints", svc.namespace, svc.name)
    addresses = sum(len(s.get("addresses") or []) for s in (endpoints or {}).get("subsets") or [])
    if addresses:
        evidence.append(
            cite.object_field(
                ObjectView(endpoints), "subsets[*].addresses", f"{addresses} ready address(es)", 0.4
            )
        )
    if not evidence:
        return None
    return Match("The Service has ready endpoints.", tuple(evidence))
