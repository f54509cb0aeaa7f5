"""`evicted`: the kubelet evicted the pod, usually to relieve node pressure."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def failed_pod(reason: str, message: str) -> dict:
    """A pod of node-1 that ended in Failed with `reason` and `message`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-e7", "namespace": "shop"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "web"}]},
        "status": {"phase": "Failed", "reason": reason, "message": message},
    }


LOW_ON_MEMORY = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi."


def test_a_pod_the_kubelet_evicted_for_memory_is_evicted():
    diagnosis = pod_diagnosis(failed_pod("Evicted", LOW_ON_MEMORY))
    assert (diagnosis.root_cause, diagnosis.severity) == ("evicted", "warning")
    assert cited(diagnosis, "status.reason") == "Evicted"
    assert cited(diagnosis, "status.message") == LOW_ON_MEMORY
    assert diagnosis.summary == "The pod was evicted by the kubelet (node low on memory)."
    assert diagnosis.recommendations[0].command == "kubectl describe node node-1"


def test_a_pod_rejected_at_admission_is_not_evicted():
    diagnosis = pod_diagnosis(failed_pod("OutOfmemory", "Pod Node didn't have enough resource: memory"))
    assert diagnosis.root_cause == "pod_failed"
