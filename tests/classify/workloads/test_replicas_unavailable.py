"""`replicas_unavailable`: a Deployment, StatefulSet or DaemonSet runs fewer ready pods than it wants;
critical when none is ready, a warning when some are."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def deployment(available: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}},
        "status": {
            "replicas": 2,
            "availableReplicas": available,
            "conditions": [
                {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
            ],
        },
    }


REPLICA_SET = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "metadata": {
        "name": "web-6d4cf56db6",
        "namespace": "shop",
        "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": True}],
    },
}
CRASH_LOOPING_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web-6d4cf56db6-b2",
        "namespace": "shop",
        "labels": {"app": "web", "pod-template-hash": "6d4cf56db6"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": "web-6d4cf56db6", "controller": True}],
    },
    "spec": {"containers": [{"name": "web"}]},
    "status": {
        "phase": "Running",
        "containerStatuses": [
            {
                "name": "web",
                "ready": False,
                "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-12-17T10:02:00Z"}
                },
            }
        ],
    },
}


def test_a_deployment_with_no_replica_available_names_its_first_failing_pod():
    diagnosis = diagnosis_of("Deployment", "web", deployment(available=0), REPLICA_SET, CRASH_LOOPING_POD)
    assert (diagnosis.root_cause, diagnosis.severity) == ("replicas_unavailable", "critical")
    assert cited(diagnosis, "status.availableReplicas") == "0 of 2 desired"
    assert cited(diagnosis, "status.conditions[Available].reason") == "MinimumReplicasUnavailable"
    assert cited(diagnosis, "Pod/web-6d4cf56db6-b2").startswith("crash_loop ")
    assert (
        diagnosis.summary == "web has 0 of 2 replicas ready; first failing: pod web-6d4cf56db6-b2 crash_loop."
    )


def test_one_of_two_available_is_a_warning():
    diagnosis = diagnosis_of("Deployment", "web", deployment(available=1), REPLICA_SET, CRASH_LOOPING_POD)
    assert (diagnosis.root_cause, diagnosis.severity) == ("replicas_unavailable", "warning")


def test_a_daemonset_ready_on_every_node_is_not_short():
    daemon_set = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "log-agent", "namespace": "shop"},
        "status": {"desiredNumberScheduled": 3, "numberReady": 3},
    }
    assert diagnosis_of("DaemonSet", "log-agent", daemon_set).root_cause == "healthy"
