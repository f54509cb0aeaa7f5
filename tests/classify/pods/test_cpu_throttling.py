"""`cpu_throttling`: the CFS quota throttles a container in a large share of its periods (over 25% in at
least 3 samples of Prometheus's `cpu_throttling` ratio)."""

from __future__ import annotations

from tests.classify.objects import at, cited, pod_diagnosis, range_response

API_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "api-7d9f-c4", "namespace": "shop"},
    "spec": {"containers": [{"name": "api", "resources": {"limits": {"cpu": "500m"}}}]},
    "status": {
        "phase": "Running",
        "containerStatuses": [
            {"name": "api", "ready": True, "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}}}
        ],
    },
}


def throttled(*ratios: str) -> dict[str, dict]:
    """The snapshot's metrics: the api container's throttled share of CFS periods, one sample a minute."""
    values = [[at(f"10:0{minute}"), ratio] for minute, ratio in enumerate(ratios)]
    series = {"metric": {"namespace": "shop", "pod": "api-7d9f-c4", "container": "api"}, "values": values}
    return {"cpu_throttling.shop": range_response("cpu_throttling", series)}


def test_a_container_throttled_in_most_periods_for_minutes_is_cpu_throttling():
    diagnosis = pod_diagnosis(API_POD, metrics=throttled("0.1", "0.4", "0.62", "0.55", "0.3"))
    assert (diagnosis.root_cause, diagnosis.severity) == ("cpu_throttling", "warning")
    assert cited(diagnosis, "cpu_throttling") == (
        "api: throttled in 62% of CFS periods at peak, over 25% in 4 of 5 samples"
    )
    assert cited(diagnosis, "spec.containers[api].resources.limits.cpu") == "0.5 cores"
    assert diagnosis.summary == "api is CPU-throttled (62% of periods)."


def test_two_throttled_samples_are_a_blip_not_a_trend():
    diagnosis = pod_diagnosis(API_POD, metrics=throttled("0.1", "0.6", "0.7", "0.1", "0.1"))
    assert diagnosis.root_cause == "healthy"
    assert "cpu_throttling" not in dict(diagnosis.other_causes)
