"""`pvc_pending`: the pod waits on a PersistentVolumeClaim that is not bound."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis

UNBOUND = (
    "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
    "preemption: 0/3 nodes are available."
)
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "db-0", "namespace": "shop", "creationTimestamp": "2025-12-17T09:40:00Z"},
    "spec": {
        "containers": [{"name": "postgres", "volumeMounts": [{"name": "data", "mountPath": "/var/lib/pg"}]}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}],
    },
    "status": {
        "phase": "Pending",
        "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": UNBOUND}
        ],
    },
}


def claim(phase: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data-db-0", "namespace": "shop", "creationTimestamp": "2025-12-17T09:40:00Z"},
        "spec": {"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"]},
        "status": {"phase": phase},
    }


PROVISIONING_FAILED = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "data-db-0.provisioningfailed", "namespace": "shop"},
    "involvedObject": {"kind": "PersistentVolumeClaim", "name": "data-db-0", "namespace": "shop"},
    "reason": "ProvisioningFailed",
    "type": "Warning",
    "message": 'storageclass.storage.k8s.io "fast-ssd" not found',
    "lastTimestamp": "2025-12-17T10:04:00Z",
}


def test_a_pod_waiting_on_a_pending_claim_is_pvc_pending_not_unschedulable():
    diagnosis = pod_diagnosis(POD, claim("Pending"), PROVISIONING_FAILED)
    assert (diagnosis.root_cause, diagnosis.severity) == ("pvc_pending", "critical")
    assert cited(diagnosis, "status.phase") == "Pending"  # the claim's
    assert cited(diagnosis, "PersistentVolumeClaim/data-db-0 Warning ProvisioningFailed").startswith(
        'storageclass.storage.k8s.io "fast-ssd" not found'
    )
    assert "unschedulable" in [c["root_cause"] for c in diagnosis.to_dict()["other_causes"]]
    assert diagnosis.recommendations[0].command == "kubectl describe pvc -n shop data-db-0"


def test_a_bound_claim_leaves_the_scheduler_to_explain():
    assert pod_diagnosis(POD, claim("Bound")).root_cause == "unschedulable"


def test_a_claim_the_snapshot_does_not_hold_proves_nothing():
    assert pod_diagnosis(POD).root_cause == "unschedulable"
