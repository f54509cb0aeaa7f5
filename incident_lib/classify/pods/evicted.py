"""`evicted`: the kubelet evicted the pod, usually to relieve node pressure."""

from __future__ import annotations

import re

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

_RESOURCE = re.compile(r"low on resource: ([a-z-]+)", re.IGNORECASE)
# The kubelet's messages for a pod over its own ephemeral-storage limits: the node itself is fine.
_OWN_LIMIT = re.compile(
    r"exceeded its local ephemeral storage limit|ephemeral local storage usage exceeds"
    r"|Usage of EmptyDir volume",
    re.IGNORECASE,
)


@rule("Pod", "evicted", version=1, severity="warning", explains=("pod_failed",))
def evicted(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.9 / 0.05 | `status.reason = Evicted` / its message
    - 0.1 | the latest `Evicted` event
    """
    pod = facts.pod
    if pod.reason != "Evicted":
        return None
    evidence = [pod_evidence.pod_field(facts, "status.reason", "Evicted", 0.9)]
    if pod.message:
        evidence.append(pod_evidence.pod_field(facts, "status.message", pod.message, 0.05))
    evidence += [pod_evidence.event(facts, e, 0.1) for e in facts.events_with("Evicted")[-1:]]
    resource = _RESOURCE.search(pod.message)
    pressure = resource.group(1).lower() if resource else None
    own_limit = bool(_OWN_LIMIT.search(pod.message))
    first = (
        Recommendation(
            action="Raise the container's ephemeral-storage limit, or make it write less to its disk (logs, "
            "emptyDir, temporary files)",
            why="the kubelet evicted the pod for using more local storage than its own limit allows",
            evidence=tuple(evidence),
            command=f"kubectl get pod -n {pod.namespace} {pod.name} "
            "-o jsonpath='{.spec.containers[*].resources}'",
        )
        if own_limit
        else Recommendation(
            action=f"Check the node's {pressure or 'resource'} pressure and the pods using the most of it",
            why=f"the kubelet evicted the pod because the node ran low on {pressure or 'a resource'}",
            evidence=tuple(evidence),
            command=f"kubectl describe node {pod.node_name}" if pod.node_name else "kubectl describe nodes",
        )
    )
    recs = (
        first,
        Recommendation(
            action="Set requests to real usage so the scheduler does not overcommit the node, then delete "
            "the evicted pod object",
            why="evicted pods stay in Failed until deleted; their controller has already replaced them",
            evidence=evidence[:1],
            command=f"kubectl delete pod -n {pod.namespace} {pod.name}",
        ),
    )
    low = (
        f" (node low on {pressure})"
        if pressure
        else " (over its own ephemeral-storage limit)"
        if own_limit
        else ""
    )
    return Match(f"The pod was evicted by the kubelet{low}.", tuple(evidence), recs)
