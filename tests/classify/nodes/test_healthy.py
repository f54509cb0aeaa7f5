"""`healthy` for a Node: Ready, and no kubelet pressure condition."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def node(*conditions: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "status": {"conditions": list(conditions)},
    }


READY = {
    "type": "Ready",
    "status": "True",
    "reason": "KubeletReady",
    "lastTransitionTime": "2025-12-17T08:00:00Z",
}


def test_a_ready_node_with_no_pressure_is_healthy():
    no_pressure = {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"}
    diagnosis = diagnosis_of("Node", "node-1", node(READY, no_pressure))
    assert (diagnosis.root_cause, diagnosis.severity) == ("healthy", "info")
    assert cited(diagnosis, "status.conditions[Ready].reason") == "KubeletReady"
    assert diagnosis.summary == "Node node-1 is Ready with no pressure."


def test_a_ready_node_under_disk_pressure_is_not_healthy():
    disk_pressure = {"type": "DiskPressure", "status": "True", "message": "kubelet has disk pressure"}
    assert diagnosis_of("Node", "node-1", node(READY, disk_pressure)).root_cause == "node_pressure"
