"""A rollout seen by the Service and Deployment rules: pods inside their start-up allowance are no fault."""

from __future__ import annotations

import copy
from dataclasses import replace

from incident_lib.diagnose import diagnose_all, diagnose_service
from tests.helpers import fixture_snapshot

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
}


def serving(*pods: dict):
    """The starting pod's snapshot (web-…-new01, 18 s into a 25 s readiness allowance), with the Service
    and `pods` added."""
    snapshot = fixture_snapshot("starting-within-readiness-allowance")
    return replace(snapshot, objects=[*snapshot.objects, SERVICE, *pods])


def ready_pod(snapshot) -> dict:
    pod = copy.deepcopy(next(o for o in snapshot.objects if o["kind"] == "Pod"))
    pod["metadata"].update(name="web-6d4cf56db6-old01", uid="uid-web-6d4cf56db6-old01")
    pod["metadata"]["creationTimestamp"] = "2025-12-17T08:00:00Z"
    for condition in pod["status"]["conditions"]:
        condition["status"] = "True"
    pod["status"]["containerStatuses"][0].update(ready=True, started=True)
    return pod


def test_a_rollout_with_one_pod_starting_and_one_serving_is_no_finding():
    snapshot = serving()
    snapshot = replace(snapshot, objects=[*snapshot.objects, ready_pod(snapshot)])
    assert diagnose_service(snapshot, "shop", "web").root_cause == "healthy"


def test_a_service_whose_only_pod_is_starting_serves_nothing_yet_a_warning_not_a_cause():
    diagnosis = diagnose_service(serving(), "shop", "web")
    assert (diagnosis.root_cause, diagnosis.severity) == ("service_endpoints_not_ready", "warning")
    assert diagnosis.summary.endswith("none is ready; every one is still starting.")
    assert "first cause in time" not in diagnosis.summary


AVAILABLE_FALSE = {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}
OWNER = {"kind": "Deployment", "name": "web", "uid": "deploy-uid", "controller": True}
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "uid": "deploy-uid"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}},
    "status": {"replicas": 1, "updatedReplicas": 1, "unavailableReplicas": 1,
               "conditions": [AVAILABLE_FALSE]},
}  # fmt: skip
REPLICA_SET = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "metadata": {"name": "web-6d4cf56db6", "namespace": "shop", "uid": "rs-uid",
                 "ownerReferences": [OWNER]},
    "spec": {"replicas": 1},
}  # fmt: skip


def test_a_new_deployment_whose_pod_is_starting_is_a_warning_to_wait_not_a_critical_finding():
    snapshot = serving(DEPLOYMENT, REPLICA_SET)
    deployment = next(d for d in diagnose_all(snapshot, "shop") if d.subject.kind == "Deployment")
    assert (deployment.root_cause, deployment.severity) == ("replicas_unavailable", "warning")
    assert deployment.summary == "web has 0 of 1 replicas ready; the others are still starting."
    assert deployment.recommendations[0].action.startswith("Nothing to fix yet")
