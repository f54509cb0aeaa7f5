"""`service_no_endpoints`: the Service's selector matches no pod, so every request fails."""

from __future__ import annotations

import difflib

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.selectors import describe


@rule("Service", "service_no_endpoints", version=1, severity="critical", needs=("Endpoints",))
def service_no_endpoints(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.6 | the selector matches no pod and the Endpoints show no address
    - 0.3 | the Endpoints' empty subsets
    - 0 | the closest `key=value` labels that exist (context)
    """
    svc, selector = facts.obj, facts.spec.get("selector")
    if not selector or facts.spec.get("type") == "ExternalName":
        return None  # no selector: endpoints are managed by hand (or by a controller), not selected
    endpoints = facts.view.endpoints(svc.namespace, svc.name)
    subsets = (endpoints.raw.get("subsets") if endpoints else None) or []
    listed = any(s.get("addresses") or s.get("notReadyAddresses") for s in subsets)
    if facts.view.selected_pods(svc.namespace, selector) or listed:
        return None  # pods match, or the Endpoints list some, ready or not (pods may be outside the snapshot)
    evidence = [cite.object_field(svc, "spec.selector", describe(selector), 0.6)]
    if endpoints is not None:
        evidence.append(cite.object_field(endpoints, "subsets", subsets or "no addresses", 0.3))
    nearest = nearest_labels(facts, selector)
    if nearest:
        evidence.append(
            cite.object_field(svc, "spec.selector", f"closest labels on pods: {', '.join(nearest)}", 0.0)
        )
    recs = (
        Recommendation(
            action="Make the selector match the pods' labels (or label the pods)",
            why=f"no pod in {svc.namespace} carries {describe(selector)}",
            evidence=tuple(evidence),
            command=f"kubectl get pods -n {svc.namespace} --show-labels",
        ),
    )
    hint = f"; closest: {nearest[0]}" if nearest else ""
    return Match(f"The selector {describe(selector)} matches no pod{hint}.", tuple(evidence), recs)


def nearest_labels(facts: ObjectFacts, selector: dict) -> list[str]:
    """Existing `key=value` labels of the namespace's pods closest to each selector term."""
    pods = facts.view.pods_in(facts.obj.namespace)
    found = []
    for key, value in sorted(selector.items()):
        values = sorted({p.labels[key] for p in pods if key in p.labels})
        close = difflib.get_close_matches(value, values, n=1, cutoff=0.0) if values else []
        found += [f"{key}={v}" for v in close]
    return found
