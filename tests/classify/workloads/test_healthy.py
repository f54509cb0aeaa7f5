"""`healthy` for workloads: all desired replicas ready, a Job complete or running, an HPA within its range."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def test_a_statefulset_with_every_replica_ready_is_healthy():
    stateful_set = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"replicas": 3},
        "status": {"replicas": 3, "readyReplicas": 3},
    }
    diagnosis = diagnosis_of("StatefulSet", "db", stateful_set)
    assert (diagnosis.root_cause, diagnosis.severity) == ("healthy", "info")
    assert cited(diagnosis, "status.readyReplicas") == "3 of 3 desired"


def test_a_deployment_with_every_replica_available_but_past_its_deadline_is_not_healthy():
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2},
        "status": {
            "availableReplicas": 2,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}],
        },
    }
    assert diagnosis_of("Deployment", "web", deployment).root_cause == "rollout_stuck"


def test_a_complete_job_and_a_running_one_are_healthy():
    complete = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "report-1", "namespace": "shop"},
        "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]},
    }
    running = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "report-2", "namespace": "shop"},
        "status": {"active": 1},
    }
    diagnosis = diagnosis_of("Job", "report-1", complete, running)
    assert (diagnosis.root_cause, diagnosis.summary) == ("healthy", "The Job completed (1 succeeded).")
    assert cited(diagnosis, "status.conditions[Complete].status") == "True"
    assert (
        diagnosis_of("Job", "report-2", complete, running).summary == "The Job is running (1 active pod(s))."
    )


def test_an_autoscaler_that_cannot_read_its_metric_is_not_healthy():
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"maxReplicas": 10},
        "status": {
            "currentReplicas": 2,
            "conditions": [{"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric"}],
        },
    }
    diagnosis = diagnosis_of("HorizontalPodAutoscaler", "web", hpa)
    assert (diagnosis.root_cause, diagnosis.severity) == ("unknown", "warning")
    assert cited(diagnosis, "status.conditions") == "ScalingActive=False"
