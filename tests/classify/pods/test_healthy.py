"""`healthy` for a pod: running, ready, not restarting; a diagnosis too, with the evidence that says so."""

from __future__ import annotations

from incident_lib.corpus import load_cases
from incident_lib.diagnose import diagnose_pods
from tests.classify.objects import at, cited, fixture_diagnosis, pod_diagnosis, range_response
from tests.helpers import CORPUS


def cart_pod(ready: bool) -> dict:
    """A cart container with a 512Mi limit, running since 09:00, `ready` or not."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "cart-84b7-m2", "namespace": "shop"},
        "spec": {"containers": [{"name": "cart", "resources": {"limits": {"memory": "512Mi"}}}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": str(ready)}],
            "containerStatuses": [
                {
                    "name": "cart",
                    "ready": ready,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": "2025-12-17T09:00:00Z"}},
                }
            ],
        },
    }


def test_a_running_ready_pod_that_never_restarted_is_healthy():
    diagnosis = pod_diagnosis(cart_pod(ready=True))
    assert (diagnosis.root_cause, diagnosis.severity) == ("healthy", "info")
    assert not diagnosis.is_finding
    assert cited(diagnosis, "status.conditions[Ready].status") == "True"
    assert cited(diagnosis, "containerStatuses[cart].restartCount") == 0
    assert diagnosis.summary == "The container is running and ready, with no restarts."


def test_the_memory_headroom_of_a_healthy_pod_is_shown():
    memory = range_response(
        "memory_working_set",
        {
            "metric": {"namespace": "shop", "pod": "cart-84b7-m2", "container": "cart"},
            "values": [[at("10:03"), "201326592"], [at("10:04"), "268435456"]],
        },
    )
    diagnosis = pod_diagnosis(cart_pod(ready=True), metrics={"memory_working_set.shop": memory})
    assert cited(diagnosis, "memory_working_set") == "cart: peak 256.0Mi of the 512.0Mi limit (50%)"


def test_a_running_container_that_is_not_ready_is_not_healthy():
    assert pod_diagnosis(cart_pod(ready=False)).root_cause != "healthy"


def test_a_pod_ready_again_after_old_restarts_is_healthy_with_its_history_shown():
    diagnosis = fixture_diagnosis("healthy-after-restarts")
    assert diagnosis.root_cause == "healthy"
    assert "2 restart(s)" in diagnosis.summary
    [never_restarted] = [c for c in load_cases(CORPUS) if c.path.stem == "032-healthy-running-restart-always"]
    assert diagnosis.confidence < diagnose_pods(never_restarted.snapshot)[0].confidence


def test_the_backend_api_pod_of_the_drill_is_healthy(oom_drill):
    diagnoses = diagnose_pods(oom_drill, "apps")
    backend = next(d for d in diagnoses if d.subject.name.startswith("backend-api-"))
    assert backend.root_cause == "healthy"
    assert any("peak 27" in str(e.value) and "256.0Mi limit" in str(e.value) for e in backend.evidence)
