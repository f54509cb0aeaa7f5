"""`oom_killed`: the kernel killed a container at its memory limit. The reason decides, not the exit code."""

from __future__ import annotations

from dataclasses import replace

from incident_lib.diagnose import diagnose_pods
from tests.classify.objects import at, cited, fixture_diagnosis, pod_diagnosis, range_response
from tests.helpers import OOM_POD


def api_pod(last_terminated: dict) -> dict:
    """A container with a 256Mi limit, backing off after its last run ended as `last_terminated` says."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "api-7d9f-x2", "namespace": "shop"},
        "spec": {"containers": [{"name": "api", "resources": {"limits": {"memory": "256Mi"}}}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "api",
                    "ready": False,
                    "restartCount": 4,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": last_terminated},
                }
            ],
        },
    }


OOM_KILLED = {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2025-12-17T10:03:00Z"}


def test_a_container_killed_at_its_memory_limit_is_oom_killed():
    diagnosis = pod_diagnosis(api_pod(OOM_KILLED))
    assert (diagnosis.root_cause, diagnosis.severity) == ("oom_killed", "critical")
    assert cited(diagnosis, "containerStatuses[api].lastState.terminated.reason") == "OOMKilled (exit 137)"
    assert cited(diagnosis, "spec.containers[api].resources.limits.memory") == "256.0Mi"
    assert diagnosis.summary == (
        "Container api was OOM-killed with its 256.0Mi memory limit, restarted 4 times,"
        " now in CrashLoopBackOff."
    )
    assert "crash_loop" in dict(diagnosis.other_causes)  # the loop the kills cause, ranked behind them


def test_exit_137_without_the_oomkilled_reason_is_a_kill_from_outside_not_an_oom():
    diagnosis = pod_diagnosis(api_pod({"reason": "Error", "exitCode": 137}))
    assert diagnosis.root_cause == "crash_loop"
    assert "oom_killed" not in dict(diagnosis.other_causes)


def test_memory_at_the_limit_before_the_kill_corroborates_it():
    memory = range_response(
        "memory_working_set",
        {
            "metric": {"namespace": "shop", "pod": "api-7d9f-x2", "container": "api"},
            "values": [[at("10:00"), "150000000"], [at("10:01"), "220000000"], [at("10:02"), "265000000"]],
        },
    )
    with_metrics = pod_diagnosis(api_pod(OOM_KILLED), metrics={"memory_working_set.shop": memory})
    assert cited(with_metrics, "memory_working_set") == (
        "working set reached 252.7Mi or more (98% of the 256.0Mi limit) in the 6 min before 1 of 1 restarts"
    )
    assert with_metrics.confidence > pod_diagnosis(api_pod(OOM_KILLED)).confidence


def test_oomkilled_with_exit_code_0_is_still_an_oom():
    assert fixture_diagnosis("oom-exit-code-0").root_cause == "oom_killed"


def test_a_container_oom_killed_and_running_again_is_reported_as_a_warning():
    diagnosis = fixture_diagnosis("oom-running-again")
    assert (diagnosis.root_cause, diagnosis.severity) == ("oom_killed", "warning")


def test_an_oom_killed_init_container_is_an_oom_with_the_init_failure_behind_it():
    diagnosis = fixture_diagnosis("init-container-oom")
    assert diagnosis.root_cause == "oom_killed"
    assert "init_failure" in dict(diagnosis.other_causes)
    assert diagnosis.evidence[0].field == "initContainerStatuses[migrate].lastState.terminated.reason"


def test_the_oom_drill_is_oom_killed_with_memory_at_the_limit_before_each_restart(oom_drill):
    [diagnosis] = diagnose_pods(oom_drill, *OOM_POD)
    assert (diagnosis.root_cause, diagnosis.severity) == ("oom_killed", "critical")
    memory = [e for e in diagnosis.evidence if e.field == "memory_working_set"]
    assert len(memory) == 1 and "before 4 of 4 restarts" in memory[0].value
    assert memory[0].lookup.startswith(
        'sum by (namespace, pod, container) (container_memory_working_set_bytes{namespace="default"'
    )
    assert dict(diagnosis.other_causes) == {"crash_loop": 0.87}


def test_metrics_corroborate_so_the_drill_without_metrics_is_less_confident(oom_drill):
    [with_metrics] = diagnose_pods(oom_drill, *OOM_POD)
    [without] = diagnose_pods(replace(oom_drill, metrics={}), *OOM_POD)
    assert without.root_cause == "oom_killed"
    assert without.confidence < with_metrics.confidence
    assert "prometheus: no memory_working_set series for this pod" in without.missing_evidence
