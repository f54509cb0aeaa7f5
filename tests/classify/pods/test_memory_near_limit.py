"""`memory_near_limit`: the working set is at 90% or more of the limit: the next OOM kill is near."""

from __future__ import annotations

from tests.classify.objects import at, cited, pod_diagnosis, range_response


def api_pod(state: dict, ready: bool) -> dict:
    """An api container with a 256Mi memory limit, in `state`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api-7d9f-m5", "namespace": "shop"},
        "spec": {"containers": [{"name": "api", "resources": {"limits": {"memory": "256Mi"}}}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "api", "ready": ready, "restartCount": 0, "state": state}],
        },
    }


RUNNING = {"running": {"startedAt": "2025-12-17T09:00:00Z"}}


def working_set(*mebibytes: int) -> dict[str, dict]:
    """The snapshot's metrics: the api container's working set, one sample a minute from 10:00."""
    values = [[at(f"10:0{minute}"), str(mib * 1024 * 1024)] for minute, mib in enumerate(mebibytes)]
    series = {"metric": {"namespace": "shop", "pod": "api-7d9f-m5", "container": "api"}, "values": values}
    return {"memory_working_set.shop": range_response("memory_working_set", series)}


def test_a_working_set_growing_past_90_percent_of_the_limit_is_memory_near_limit():
    diagnosis = pod_diagnosis(api_pod(RUNNING, ready=True), metrics=working_set(200, 210, 220, 230, 240))
    assert (diagnosis.root_cause, diagnosis.severity) == ("memory_near_limit", "warning")
    assert diagnosis.evidence[0].value == "api: 240.0Mi of the 256.0Mi limit (94%) at the last sample"
    assert diagnosis.evidence[0].at == "2025-12-17T10:04:00Z"
    assert diagnosis.evidence[1].value == "growing 10.0Mi/min: the limit in about 2 min"
    assert diagnosis.summary == "api is at 94% of its memory limit."


def test_a_working_set_at_80_percent_is_headroom_not_a_finding():
    diagnosis = pod_diagnosis(api_pod(RUNNING, ready=True), metrics=working_set(200, 205, 205, 204, 205))
    assert diagnosis.root_cause == "healthy"
    assert cited(diagnosis, "memory_working_set") == "api: peak 205.0Mi of the 256.0Mi limit (80%)"


def test_the_last_samples_of_a_container_waiting_to_restart_are_history():
    waiting = {"waiting": {"reason": "ContainerCreating"}}
    diagnosis = pod_diagnosis(api_pod(waiting, ready=False), metrics=working_set(200, 210, 220, 230, 240))
    assert diagnosis.root_cause != "memory_near_limit"
    assert "memory_near_limit" not in dict(diagnosis.other_causes)
