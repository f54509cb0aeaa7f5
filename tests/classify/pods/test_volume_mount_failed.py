"""`volume_mount_failed`: a volume cannot be attached or mounted, and the kind of failure decides the fix;
a missing ConfigMap or Secret volume is `config_error`."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis

PV = "pvc-5e0d3b8a-71c4-4f2e-9a6b-2d8c1f07a4e3"


def db_pod(waiting: str = "ContainerCreating") -> dict:
    state = (
        {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": "2025-12-17T10:00:00Z"}}
    )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "db-0", "namespace": "shop"},
        "spec": {
            "nodeName": "node-2",
            "containers": [{"name": "postgres"}],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}},
                {"name": "config", "configMap": {"name": "db-config"}},
            ],
        },
        "status": {
            "phase": "Pending" if waiting else "Running",
            "containerStatuses": [
                {"name": "postgres", "ready": not waiting, "restartCount": 0, "state": state}
            ],
        },
    }


CLAIM = {
    "apiVersion": "v1",
    "kind": "PersistentVolumeClaim",
    "metadata": {"name": "data-db-0", "namespace": "shop"},
    "spec": {"volumeName": PV, "storageClassName": "gp3"},
    "status": {"phase": "Bound"},
}


def event(reason: str, message: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"db-0.{reason.lower()}", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "db-0", "namespace": "shop"},
        "reason": reason,
        "type": "Warning",
        "message": message,
        "count": 4,
        "lastTimestamp": "2025-12-17T10:04:00Z",
    }


ATTACH_TIMEOUT = event(
    "FailedAttachVolume",
    f'AttachVolume.Attach failed for volume "{PV}" : rpc error: code = DeadlineExceeded desc = context '
    "deadline exceeded",
)


def test_a_csi_attach_timeout_names_the_pod_volume_and_points_at_the_attacher():
    diagnosis = pod_diagnosis(db_pod(), CLAIM, ATTACH_TIMEOUT)
    assert (diagnosis.root_cause, diagnosis.severity) == ("volume_mount_failed", "critical")
    assert diagnosis.summary == (
        "Volume data cannot be attached: the CSI attach timed out; the containers cannot start."
    )
    assert cited(diagnosis, "spec.volumeName") == f"volume data: Bound, PersistentVolume {PV}"
    first = diagnosis.recommendations[0]
    assert "external-attacher" in first.action
    assert first.command == "kubectl get volumeattachments -o wide"


def test_a_volume_still_attached_elsewhere_says_so():
    multi = event(
        "FailedAttachVolume",
        f'Multi-Attach error for volume "{PV}" Volume is already exclusively attached to one node and '
        "can't be attached to another",
    )
    diagnosis = pod_diagnosis(db_pod(), CLAIM, multi)
    assert diagnosis.summary.startswith("Volume data is still attached to another node")
    assert diagnosis.recommendations[0].action.startswith("Let the volume go from its old node")


def test_a_mount_the_node_refuses_is_a_mount_error():
    nfs = event(
        "FailedMount",
        'MountVolume.SetUp failed for volume "data" : mount failed: exit status 32 ... '
        "mount.nfs: access denied by server while mounting 10.0.0.5:/exports/db",
    )
    diagnosis = pod_diagnosis(db_pod(), CLAIM, nfs)
    assert diagnosis.summary == "Volume data cannot be mounted on the node; the containers cannot start."
    assert diagnosis.recommendations[0].command.endswith("reason=FailedMount")


def test_a_missing_config_map_volume_is_a_config_error_that_names_it():
    missing = event(
        "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "db-config" not found'
    )
    diagnosis = pod_diagnosis(db_pod(), CLAIM, missing)
    assert diagnosis.root_cause == "config_error"
    assert "volume_mount_failed" not in dict(diagnosis.other_causes)
    assert diagnosis.summary == "The pod cannot start: missing configmap db-config."


def test_an_old_attach_failure_of_a_pod_running_since_is_history():
    assert pod_diagnosis(db_pod(waiting=""), CLAIM, ATTACH_TIMEOUT).root_cause == "healthy"
