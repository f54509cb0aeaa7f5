"""`probe_failure`: a readiness probe keeps the pod out of its Services, or a liveness probe keeps
restarting it."""

from __future__ import annotations

from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis

READINESS = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5}


def web_pod(spec: dict) -> dict:
    """A container running for an hour, never ready, with the container spec `spec`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-r1", "namespace": "shop", "creationTimestamp": "2025-12-17T09:00:00Z"},
        "spec": {"containers": [{"name": "web", **spec}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
            "containerStatuses": [
                {
                    "name": "web",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": "2025-12-17T09:00:05Z"}},
                }
            ],
        },
    }


UNHEALTHY = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "web-6d4c-r1.unhealthy", "namespace": "shop"},
    "involvedObject": {
        "kind": "Pod",
        "name": "web-6d4c-r1",
        "namespace": "shop",
        "fieldPath": "spec.containers{web}",
    },
    "reason": "Unhealthy",
    "type": "Warning",
    "message": "Readiness probe failed: HTTP probe failed with statuscode: 503",
    "count": 120,
    "lastTimestamp": "2025-12-17T10:04:55Z",
}


def test_a_readiness_probe_that_never_passes_is_a_probe_failure():
    diagnosis = pod_diagnosis(web_pod({"readinessProbe": READINESS}), UNHEALTHY)
    assert (diagnosis.root_cause, diagnosis.severity) == ("probe_failure", "critical")
    assert cited(diagnosis, "containerStatuses[web].ready") is False
    assert cited(diagnosis, "Pod/web-6d4c-r1 Warning Unhealthy") == (
        "Readiness probe failed: HTTP probe failed with statuscode: 503 (x120)"
    )
    assert diagnosis.summary == (
        "The readiness probe of web (HTTP GET /ready on port 8080) fails"
        " and keeps the pod out of its Services."
    )


def test_a_container_not_ready_without_a_readiness_probe_is_no_probe_failure():
    diagnosis = pod_diagnosis(web_pod({}))
    assert diagnosis.root_cause == "unknown"
    assert "probe_failure" not in dict(diagnosis.other_causes)


def test_a_liveness_kill_with_exit_137_is_a_probe_failure_not_an_oom():
    diagnosis = fixture_diagnosis("liveness-killed-137")
    assert diagnosis.root_cause == "probe_failure"
    assert "oom_killed" not in dict(diagnosis.other_causes)
    assert "liveness" in diagnosis.summary
    assert any(e.source == "event" and "Unhealthy" in e.field for e in diagnosis.evidence)


def test_readiness_probe_failing_is_a_probe_failure_citing_the_unhealthy_event():
    diagnosis = fixture_diagnosis("readiness-failing")
    assert diagnosis.root_cause == "probe_failure"
    assert "readiness probe of web (HTTP GET /ready on port 8080)" in diagnosis.summary
    assert any("statuscode: 503" in str(e.value) for e in diagnosis.evidence)


def test_one_failed_liveness_probe_on_a_ready_pod_that_never_restarted_is_not_a_finding():
    assert fixture_diagnosis("liveness-blip-healthy").root_cause == "healthy"
