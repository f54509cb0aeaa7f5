"""`disk_pressure`: the kubelet evicted the pod because its node ran low on disk.

The eviction message names the node's disk (`The node was low on resource: ephemeral-storage`, `The node
had condition: [DiskPressure]`); the node's `DiskPressure` condition and its
`node.kubernetes.io/disk-pressure` taint tie it to the node. A pod evicted for going over its own
ephemeral-storage limit (`Container app exceeded its local ephemeral storage limit`) is not this: the
node is fine, and `evicted` says so. This rule explains the pod's `evicted`; the node's `node_pressure`
is the same event seen from the node.
"""

from __future__ import annotations

import re

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.objects import ObjectView

_NODE_DISK = re.compile(
    r"low on resource: (ephemeral-storage|nodefs|imagefs)|condition: \[DiskPressure\]", re.I
)
TAINT = "node.kubernetes.io/disk-pressure"


@rule(
    "Pod", "disk_pressure", version=1, severity="warning", explains=("evicted", "pod_failed"), needs=("Node",)
)
def disk_pressure(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 | `status.reason = Evicted` with a message naming the node's disk (not the pod's own limit)
    - 0.5 / 0.3 | the node's `DiskPressure=True` condition / its `node.kubernetes.io/disk-pressure` taint
    - 0.1 | the latest `Evicted` event
    - 0 | the node not in the snapshot (not checked), or no longer under pressure (context)
    """
    pod = facts.pod
    if pod.reason != "Evicted" or not _NODE_DISK.search(pod.message):
        return None
    evidence = [pod_evidence.pod_field(facts, "status.message", pod.message, 0.7)]
    node = facts.view.node(pod.node_name) if pod.node_name else None
    evidence += _node_evidence(node, pod.node_name)
    evidence += [pod_evidence.event(facts, e, 0.1) for e in facts.events_with("Evicted")[-1:]]
    where = f"node {pod.node_name}" if pod.node_name else "its node"
    recs = (
        Recommendation(
            action=f"Free disk on {where}: find what fills it (container logs, unused images, emptyDir "
            "volumes, writable layers) and clean up or give the node a larger disk",
            why=f"the kubelet evicts pods while {where} is under DiskPressure",
            evidence=tuple(evidence),
            command=f"kubectl describe node {pod.node_name}" if pod.node_name else "kubectl describe nodes",
        ),
        Recommendation(
            action="Set ephemeral-storage requests and limits on the pod's containers, so the scheduler "
            "counts their disk and the kubelet evicts the pod that overuses it rather than its neighbours",
            why="under disk pressure the kubelet first evicts pods using more disk than they request",
            evidence=tuple(evidence[:1]),
            command=f"kubectl get pod -n {pod.namespace} {pod.name} "
            "-o jsonpath='{.spec.containers[*].resources}'",
        ),
    )
    return Match(f"The pod was evicted because {where} ran low on disk.", tuple(evidence), recs)


def _node_evidence(node: ObjectView | None, name: str) -> list[Evidence]:
    """The node's disk pressure, as its condition and its taint show it; a weight-0 line when the node
    is not in the snapshot or no longer under pressure."""
    if node is None:
        return [
            Evidence(
                source="node",
                field=f"Node/{name or '(not scheduled)'}",
                value="not in the snapshot: its DiskPressure condition and taint are not checked",
                weight=0.0,
                lookup=f"kubectl describe node {name}" if name else "kubectl get nodes",
            )
        ]
    condition = next((c for c in node.status.get("conditions") or [] if c.get("type") == "DiskPressure"), {})
    taints = [t for t in node.spec.get("taints") or [] if t.get("key") == TAINT]
    found = []
    if condition.get("status") == "True":
        found.append(
            cite.object_field(
                node,
                "status.conditions[DiskPressure].status",
                f"True: {condition.get('message', '')}",
                0.5,
                at=condition.get("lastTransitionTime"),
            )
        )
    if taints:
        found.append(
            cite.object_field(
                node, "spec.taints", f"{TAINT}:{taints[0].get('effect')}", 0.3, taints[0].get("timeAdded")
            )
        )
    if not found:
        state = condition.get("status", "not reported")
        found.append(
            cite.object_field(
                node, "status.conditions[DiskPressure].status", f"{state}: no longer under pressure", 0.0
            )
        )
    return found
