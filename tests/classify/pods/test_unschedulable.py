"""`unschedulable`: the scheduler finds no node for the pod, and says why."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis

NO_CPU = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available."


def test_a_pod_no_node_has_cpu_for_is_unschedulable():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "report-9c1e-u6",
            "namespace": "shop",
            "creationTimestamp": "2025-12-17T09:40:00Z",
        },
        "spec": {"containers": [{"name": "report", "resources": {"requests": {"cpu": "8"}}}]},
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": NO_CPU}
            ],
        },
    }
    diagnosis = pod_diagnosis(pod)
    assert (diagnosis.root_cause, diagnosis.severity) == ("unschedulable", "critical")
    assert cited(diagnosis, "status.conditions[PodScheduled].reason") == "Unschedulable"
    assert cited(diagnosis, "status.conditions[PodScheduled].message") == NO_CPU
    assert diagnosis.summary == "No node can run the pod (insufficient cpu)."
    assert [r.action for r in diagnosis.recommendations] == ["Lower the CPU request or add node capacity"]


def test_an_old_failedscheduling_event_of_a_pod_placed_since_is_history():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "report-9c1e-u6", "namespace": "shop"},
        "spec": {"nodeName": "node-2", "containers": [{"name": "report"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [
                {"name": "report", "ready": True, "state": {"running": {"startedAt": "2025-12-17T09:45:00Z"}}}
            ],
        },
    }
    failed_scheduling = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "report-9c1e-u6.failedscheduling", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "report-9c1e-u6", "namespace": "shop"},
        "reason": "FailedScheduling",
        "type": "Warning",
        "message": NO_CPU,
        "lastTimestamp": "2025-12-17T09:41:00Z",
    }
    assert pod_diagnosis(pod, failed_scheduling).root_cause == "healthy"


def test_unschedulable_names_every_blocker_from_the_scheduler_message():
    diagnosis = fixture_diagnosis("unschedulable-insufficient-memory")
    assert diagnosis.root_cause == "unschedulable"
    assert "insufficient memory, taint" in diagnosis.summary
    assert [r.action.split()[0] for r in diagnosis.recommendations] == ["Lower", "Add"]
