"""`node_pressure`: memory, disk or PID pressure, and the pods the kubelet evicted from the node. Only the
kubelet's own pressure conditions count."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of

READY = {"type": "Ready", "status": "True", "reason": "KubeletReady"}


def node(*conditions: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "status": {"conditions": [READY, *conditions]},
    }


EVICTED_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-6d4c-e7", "namespace": "shop"},
    "spec": {"nodeName": "node-1", "containers": [{"name": "web"}]},
    "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."},
}


def test_a_node_under_memory_pressure_names_the_pods_it_evicted():
    memory_pressure = {
        "type": "MemoryPressure",
        "status": "True",
        "reason": "KubeletHasInsufficientMemory",
        "message": "kubelet has insufficient memory available",
    }
    diagnosis = diagnosis_of("Node", "node-1", node(memory_pressure), EVICTED_POD)
    assert (diagnosis.root_cause, diagnosis.severity) == ("node_pressure", "warning")
    assert cited(diagnosis, "status.conditions[MemoryPressure].status") == (
        "True: kubelet has insufficient memory available"
    )
    assert cited(diagnosis, "metadata.name") == "1 pod(s) evicted from it: shop/web-6d4c-e7"
    assert diagnosis.summary == "Node node-1 is under MemoryPressure."


def test_a_condition_another_agent_adds_is_not_pressure():
    restarts = {"type": "FrequentKubeletRestart", "status": "True", "reason": "FrequentKubeletRestart"}
    assert diagnosis_of("Node", "node-1", node(restarts)).root_cause == "healthy"
