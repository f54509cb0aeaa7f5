"""`service_endpoints_not_ready`: pods match the Service but none (or not all) are ready, and why.

Pods still inside their start-up allowance (`pod_starting`) are a rollout, not a fault: with other pods
ready there is no finding; with none ready the Service serves nothing for now, a warning.
When the snapshot holds none of the selected pods (a capture of the Services and Endpoints only), the
Endpoints' `notReadyAddresses` say the same: some not ready is a warning, all of them critical.
"""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods.pod_starting import WAIT
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.selectors import describe

SHOWN = 3  # pod diagnoses cited; the rest are one `kubectl get pods` away


@rule("Service", "service_endpoints_not_ready", version=1, severity="critical", needs=("Endpoints",))
def service_endpoints_not_ready(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.6 / 0.3 | pods match, none ready / some not ready (severity warning)
    - 0.2 each | each not-ready pod's diagnosis, earliest first (3 at most)
    - 0.6 / 0.3 | no selected pod in the snapshot: the Endpoints list only not-ready addresses / some
      (severity warning)
    """
    svc = facts.obj
    pods = facts.view.serving_pods(svc.namespace, facts.spec.get("selector"))
    if not facts.view.selected_pods(svc.namespace, facts.spec.get("selector")):
        return _from_endpoints(facts)
    unready = [p for p in pods if not p.condition_is("Ready", "True")]
    if not unready:
        return None
    ready = len(pods) - len(unready)
    starting = facts.all_starting(unready)
    if starting and ready:
        return None  # a rollout: the new pods are inside their start-up allowance, the others serve
    evidence = [
        cite.object_field(
            svc,
            "spec.selector",
            f"{describe(facts.spec['selector'])}: {len(pods)} pod(s) match, {ready} ready",
            0.6 if ready == 0 else 0.3,
        )
    ]
    behind = [d for p in unready if (d := facts.pod_diagnosis(p)) is not None]
    behind.sort(key=lambda d: (min((e.at for e in d.evidence if e.at), default="9999"), d.subject.name))
    evidence += [cite.diagnosis(d, 0.2) for d in behind[:SHOWN]]
    first = next((d for d in behind if d.is_finding), None)
    because = f"; first cause in time: pod {first.subject.name} {first.root_cause}" if first else ""
    if starting:
        because, action = "; every one is still starting", WAIT
    elif first and first.recommendations:
        action = f"Fix pod {first.subject.name} first: {first.recommendations[0].action}"
    else:
        action = "Find why the selected pods are not ready"
    recs = [
        Recommendation(
            action=action,
            why="the Service sends traffic only to ready pods",
            evidence=tuple(evidence),
            command=f"kubectl get pods -n {svc.namespace} -l {describe(facts.spec['selector'])} -o wide",
        )
    ]
    state = "none is ready" if ready == 0 else f"only {ready} of {len(pods)} are ready"
    return Match(
        f"{len(pods)} pod(s) match the Service but {state}{because}.",
        tuple(evidence),
        tuple(recs),
        severity="warning" if ready or starting else None,
    )


def _from_endpoints(facts: ObjectFacts) -> Match | None:
    """The Service's readiness as its Endpoints record it, for a snapshot without its pods."""
    svc = facts.obj
    endpoints = facts.view.endpoints(svc.namespace, svc.name)
    subsets = (endpoints.raw.get("subsets") if endpoints else None) or []
    ready = sum(len(s.get("addresses") or []) for s in subsets)
    unready = [a for s in subsets for a in s.get("notReadyAddresses") or []]
    if not unready:
        return None
    names = sorted((a.get("targetRef") or {}).get("name") or a.get("ip", "?") for a in unready)
    shown = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
    evidence = (
        cite.object_field(
            endpoints,
            "subsets[*].notReadyAddresses",
            f"{len(unready)} not ready ({shown}), {ready} ready",
            0.6 if ready == 0 else 0.3,
        ),
    )
    recs = (
        Recommendation(
            action=f"Find why {shown} are not ready: diagnose them",
            why="the Service sends traffic only to ready addresses",
            evidence=evidence,
            command=f"kubectl get endpoints -n {svc.namespace} {svc.name} -o yaml",
        ),
    )
    state = "none is ready" if ready == 0 else f"only {ready} of {ready + len(unready)} are ready"
    return Match(
        f"The Service's Endpoints list {ready + len(unready)} address(es) but {state}.",
        evidence,
        recs,
        severity="warning" if ready else None,
    )
