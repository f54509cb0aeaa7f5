"""`disk_pressure`: an eviction because the node ran low on disk, tied to the node's DiskPressure; a pod
over its own ephemeral-storage limit stays `evicted`."""

from __future__ import annotations

from incident_lib.diagnose import diagnose_pods
from tests.classify.objects import cited, pod_diagnosis, snapshot

NODE_LOW = (
    "The node was low on resource: ephemeral-storage. Threshold quantity: 2872486664, available: 1985248Ki. "
    "Container shipper was using 9453236Ki, request is 0, has larger consumption of ephemeral-storage. "
)
OWN_LIMIT = 'Container shipper exceeded its local ephemeral storage limit "1Gi". '


def evicted_pod(message: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "shipper-7d9f-k2", "namespace": "shop"},
        "spec": {"nodeName": "node-3", "containers": [{"name": "shipper"}]},
        "status": {"phase": "Failed", "reason": "Evicted", "message": message},
    }


def node(pressure: bool) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-3"},
        "spec": {
            "taints": [{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}]
            if pressure
            else []
        },
        "status": {
            "conditions": [
                {
                    "type": "DiskPressure",
                    "status": str(pressure),
                    "message": "kubelet has disk pressure" if pressure else "kubelet has no disk pressure",
                },
                {"type": "Ready", "status": "True", "reason": "KubeletReady"},
            ]
        },
    }


def shipper_diagnosis(*objects: dict):
    return next(d for d in diagnose_pods(snapshot(*objects), "shop") if d.subject.name == "shipper-7d9f-k2")


def test_an_eviction_for_the_node_disk_on_a_node_under_disk_pressure_is_disk_pressure():
    diagnosis = shipper_diagnosis(evicted_pod(NODE_LOW), node(pressure=True))
    assert (diagnosis.root_cause, diagnosis.severity) == ("disk_pressure", "warning")
    assert [cause for cause, _ in diagnosis.other_causes] == ["evicted", "pod_failed"]  # it explains them
    assert cited(diagnosis, "status.conditions[DiskPressure].status") == "True: kubelet has disk pressure"
    assert cited(diagnosis, "spec.taints") == "node.kubernetes.io/disk-pressure:NoSchedule"
    assert diagnosis.summary == "The pod was evicted because node node-3 ran low on disk."
    assert diagnosis.recommendations[0].command == "kubectl describe node node-3"


def test_without_the_node_in_the_snapshot_it_is_not_checked_and_less_sure():
    tied = shipper_diagnosis(evicted_pod(NODE_LOW), node(pressure=True))
    alone = pod_diagnosis(evicted_pod(NODE_LOW))
    assert alone.root_cause == "disk_pressure"
    assert alone.confidence < tied.confidence
    assert cited(alone, "Node/node-3").startswith("not in the snapshot")


def test_a_pod_over_its_own_ephemeral_storage_limit_is_evicted_not_disk_pressure():
    diagnosis = shipper_diagnosis(evicted_pod(OWN_LIMIT), node(pressure=False))
    assert diagnosis.root_cause == "evicted"
    assert "disk_pressure" not in dict(diagnosis.other_causes)
    assert diagnosis.summary == "The pod was evicted by the kubelet (over its own ephemeral-storage limit)."
    assert diagnosis.recommendations[0].action.startswith("Raise the container's ephemeral-storage limit")


def test_a_memory_eviction_is_not_disk_pressure():
    memory = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 87436Ki. "
    assert pod_diagnosis(evicted_pod(memory)).root_cause == "evicted"
