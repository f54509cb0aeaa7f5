"""`resource_policy_violation`: in a namespace whose LimitRange caps container memory, a container with
no memory limit or one above the cap."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis

LIMIT_RANGE = {
    "apiVersion": "v1",
    "kind": "LimitRange",
    "metadata": {"name": "memory-cap", "namespace": "shop"},
    "spec": {"limits": [{"type": "Container", "max": {"memory": "300Mi"}}]},
}


def api_pod(resources: dict) -> dict:
    """A running, ready api container with `resources`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api-7d9f-l3", "namespace": "shop"},
        "spec": {"containers": [{"name": "api", "resources": resources}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "api", "ready": True, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
            ],
        },
    }


def test_a_memory_limit_above_the_namespace_cap_breaks_the_policy():
    diagnosis = pod_diagnosis(api_pod({"limits": {"memory": "512Mi"}}), LIMIT_RANGE)
    assert (diagnosis.root_cause, diagnosis.severity) == ("resource_policy_violation", "warning")
    assert cited(diagnosis, "spec.containers[api].resources.limits.memory") == "512.0Mi > 300.0Mi cap"
    assert diagnosis.summary == "A container breaks the namespace's 300.0Mi memory cap."
    assert diagnosis.recommendations[0].command == "kubectl get limitrange -n shop memory-cap -o yaml"


def test_no_memory_limit_at_all_breaks_it_too():
    diagnosis = pod_diagnosis(api_pod({}), LIMIT_RANGE)
    assert diagnosis.root_cause == "resource_policy_violation"
    assert cited(diagnosis, "spec.containers[api].resources.limits.memory") == "none"


def test_a_limit_under_the_cap_is_within_the_policy():
    assert pod_diagnosis(api_pod({"limits": {"memory": "256Mi"}}), LIMIT_RANGE).root_cause == "healthy"


def test_without_a_limitrange_there_is_no_policy_to_break():
    assert pod_diagnosis(api_pod({"limits": {"memory": "512Mi"}})).root_cause == "healthy"
