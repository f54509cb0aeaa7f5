"""`pvc_pending`: the pod waits on a PersistentVolumeClaim that is not bound, so it cannot be scheduled
or start. The claim, not the scheduler, is what to fix: it explains `unschedulable` when that is why."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.objects import ObjectView

# Why a claim stays Pending, in the claim's own events (external-provisioner and the PV controller).
_CLAIM_REASONS = ("ProvisioningFailed", "FailedBinding", "ExternalProvisioning", "WaitForFirstConsumer")


@rule(
    "Pod",
    "pvc_pending",
    version=1,
    severity="critical",
    explains=("unschedulable", "pod_starting", "unknown"),
    needs=("PersistentVolumeClaim",),
)
def pvc_pending(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.6 | a claim the pod mounts, in phase `Pending` (or `Lost`)
    - 0.3 | the pod's `PodScheduled=False` message naming unbound PersistentVolumeClaims
    - 0.3 | the latest event on the claim saying why (`ProvisioningFailed`, `FailedBinding`, …)
    - 0 | the claim's StorageClass (context)
    """
    pod = facts.pod
    if pod.phase not in ("Pending", ""):
        return None  # a running pod's claims were bound when it started
    unbound = [c for c in _claims(facts) if (c.status.get("phase") or "Pending") in ("Pending", "Lost")]
    if not unbound:
        return None
    claim = unbound[0]
    evidence = [
        cite.object_field(
            c, "status.phase", c.status.get("phase") or "Pending", 0.6, at=c.metadata.get("creationTimestamp")
        )
        for c in unbound
    ]
    evidence += _scheduler_evidence(facts)
    evidence += [cite.event(claim.namespace, e, 0.3) for e in _claim_events(facts, claim)[-1:]]
    storage_class = claim.spec.get("storageClassName")
    evidence.append(
        cite.object_field(claim, "spec.storageClassName", storage_class or "none (the default)", 0.0)
    )
    names = ", ".join(c.name for c in unbound)
    return Match(
        summary=f"Pod waits on PersistentVolumeClaim {names}, which is not bound"
        f"{f' (StorageClass {storage_class})' if storage_class else ''}.",
        evidence=tuple(evidence),
        recommendations=_recommendations(claim, tuple(evidence[:1]), storage_class),
    )


def _claims(facts: PodFacts) -> list[ObjectView]:
    """The claims the pod's volumes name that the snapshot holds (a claim not captured proves nothing)."""
    names = [
        (v.get("persistentVolumeClaim") or {}).get("claimName")
        for v in facts.pod.spec.get("volumes") or []
        if isinstance(v, dict)
    ]
    found = (facts.view.claim(facts.pod.namespace, name) for name in names if name)
    return [c for c in found if c is not None]


def _scheduler_evidence(facts: PodFacts) -> list[Evidence]:
    condition = facts.pod.conditions.get("PodScheduled", {})
    message = condition.get("message") or ""
    if condition.get("status") != "False" or "PersistentVolumeClaim" not in message:
        return []
    return [pod_evidence.pod_field(facts, "status.conditions[PodScheduled].message", message, 0.3)]


def _claim_events(facts: PodFacts, claim: ObjectView) -> list:
    events = facts.view.events_about("PersistentVolumeClaim", claim.namespace, claim.name)
    return [e for e in events if e.reason in _CLAIM_REASONS]


def _recommendations(
    claim: ObjectView, basis: tuple[Evidence, ...], storage_class: str | None
) -> tuple[Recommendation, ...]:
    fix = (
        f"Make StorageClass {storage_class} provision (it must exist and its provisioner run), or bind "
        "the claim to a matching PersistentVolume"
        if storage_class
        else "Set a StorageClass that provisions (there is no default), or create a matching PersistentVolume"
    )
    return (
        Recommendation(
            action=f"Read why claim {claim.name} is not bound: its events name the provisioner's error",
            why="the pod cannot be scheduled or start until every claim it mounts is bound",
            evidence=basis,
            command=f"kubectl describe pvc -n {claim.namespace} {claim.name}",
        ),
        Recommendation(
            action=fix,
            why="a claim binds when a volume is provisioned for it or a matching one exists",
            evidence=basis,
            command="kubectl get storageclass",
        ),
    )
