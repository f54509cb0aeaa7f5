"""`node_not_ready`: the kubelet stopped reporting Ready (or the node network is down)."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def node(*conditions: dict, unschedulable: bool = False) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-2"},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {"conditions": list(conditions)},
    }


STOPPED_POSTING = {
    "type": "Ready",
    "status": "Unknown",
    "reason": "NodeStatusUnknown",
    "message": "Kubelet stopped posting node status.",
    "lastTransitionTime": "2025-12-17T09:58:00Z",
}


def test_a_node_whose_kubelet_stopped_posting_status_is_not_ready():
    diagnosis = diagnosis_of("Node", "node-2", node(STOPPED_POSTING, unschedulable=True))
    assert (diagnosis.root_cause, diagnosis.severity) == ("node_not_ready", "critical")
    assert cited(diagnosis, "status.conditions[Ready]") == (
        "Unknown: NodeStatusUnknown Kubelet stopped posting node status."
    )
    assert cited(diagnosis, "spec.unschedulable") is True
    assert diagnosis.summary == "Node node-2 is not Ready."


def test_a_ready_node_whose_network_is_up_is_ready():
    ready = {"type": "Ready", "status": "True", "reason": "KubeletReady"}
    network = {"type": "NetworkUnavailable", "status": "False", "reason": "CalicoIsUp"}
    assert diagnosis_of("Node", "node-2", node(ready, network)).root_cause == "healthy"


def test_a_ready_node_whose_network_is_unavailable_is_not_ready():
    ready = {"type": "Ready", "status": "True", "reason": "KubeletReady"}
    network = {"type": "NetworkUnavailable", "status": "True", "reason": "NoRouteCreated"}
    diagnosis = diagnosis_of("Node", "node-2", node(ready, network))
    assert diagnosis.root_cause == "node_not_ready"
    assert cited(diagnosis, "status.conditions[NetworkUnavailable].reason") == "NoRouteCreated"
