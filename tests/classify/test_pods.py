"""Pod rules on raw API JSON: the published corpus, hand-written traps, and the shipped OOM drill."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta

import pytest

from incident_lib.corpus import load_cases
from incident_lib.diagnose import diagnose_pods
from tests.helpers import CORPUS, OOM_POD, fixture_snapshot

CASES = [c for c in load_cases(CORPUS) if c.path.parent.name == "pods"]


@pytest.mark.parametrize("case", CASES, ids=[c.path.stem for c in CASES])
def test_every_published_case_gets_its_label(case):
    [diagnosis] = diagnose_pods(case.snapshot)
    if case.label == "other":  # a failed pod whose cause has no name: any unhealthy answer is right
        assert diagnosis.is_finding
    else:
        assert diagnosis.root_cause == case.label


@pytest.mark.parametrize("case", CASES, ids=[c.path.stem for c in CASES])
def test_recommendations_cite_only_evidence_of_the_diagnosis(case):
    [diagnosis] = diagnose_pods(case.snapshot)
    assert diagnosis.evidence, "every diagnosis rests on evidence"
    for recommendation in diagnosis.recommendations:
        assert recommendation.evidence
        assert {id(e) for e in recommendation.evidence} <= {id(e) for e in diagnosis.evidence}


def diagnose_fixture(name: str):
    [diagnosis] = diagnose_pods(fixture_snapshot(name))
    return diagnosis


def test_a_liveness_kill_with_exit_137_is_a_probe_failure_not_an_oom():
    diagnosis = diagnose_fixture("liveness-killed-137")
    assert diagnosis.root_cause == "probe_failure"
    assert "oom_killed" not in dict(diagnosis.other_causes)
    assert "liveness" in diagnosis.summary
    assert any(e.source == "event" and "Unhealthy" in e.field for e in diagnosis.evidence)


def test_oomkilled_with_exit_code_0_is_still_an_oom():
    assert diagnose_fixture("oom-exit-code-0").root_cause == "oom_killed"


def test_a_container_oom_killed_and_running_again_is_reported_as_a_warning():
    diagnosis = diagnose_fixture("oom-running-again")
    assert (diagnosis.root_cause, diagnosis.severity) == ("oom_killed", "warning")


def test_crash_loop_explains_its_exit_code():
    diagnosis = diagnose_fixture("crash-loop-exit-127")
    assert diagnosis.root_cause == "crash_loop"
    assert "command not found" in diagnosis.summary
    assert any(e.field.endswith("Pod/web-6d4cf56db6-cl127 Warning BackOff") for e in diagnosis.evidence)


def test_a_deletion_older_than_its_grace_period_is_terminating_stuck():
    diagnosis = diagnose_fixture("terminating-stuck")
    assert diagnosis.root_cause == "terminating_stuck"
    assert diagnosis.summary == "The pod has been terminating for 65 min."
    assert ["example.com/drain-connections"] in [e.value for e in diagnosis.evidence]


def test_image_pull_error_tells_an_unauthorised_pull_apart():
    diagnosis = diagnose_fixture("image-pull-unauthorized")
    assert diagnosis.root_cause == "image_pull_error"
    assert "unauthorized" in diagnosis.summary
    assert "imagePullSecret" in diagnosis.recommendations[0].action


def test_unschedulable_names_every_blocker_from_the_scheduler_message():
    diagnosis = diagnose_fixture("unschedulable-insufficient-memory")
    assert diagnosis.root_cause == "unschedulable"
    assert "insufficient memory, taint" in diagnosis.summary
    assert [r.action.split()[0] for r in diagnosis.recommendations] == ["Lower", "Add"]


def test_a_pod_ready_again_after_old_restarts_is_healthy_with_its_history_shown():
    diagnosis = diagnose_fixture("healthy-after-restarts")
    assert diagnosis.root_cause == "healthy"
    assert "2 restart(s)" in diagnosis.summary
    assert (
        diagnosis.confidence
        < diagnose_pods(CASES_BY_NAME["032-healthy-running-restart-always"].snapshot)[0].confidence
    )


def test_readiness_probe_failing_is_a_probe_failure_citing_the_unhealthy_event():
    diagnosis = diagnose_fixture("readiness-failing")
    assert diagnosis.root_cause == "probe_failure"
    assert "readiness probe of web (HTTP GET /ready on port 8080)" in diagnosis.summary
    assert any("statuscode: 503" in str(e.value) for e in diagnosis.evidence)


def test_an_oom_killed_init_container_is_an_oom_with_the_init_failure_behind_it():
    diagnosis = diagnose_fixture("init-container-oom")
    assert diagnosis.root_cause == "oom_killed"
    assert "init_failure" in dict(diagnosis.other_causes)
    assert diagnosis.evidence[0].field == "initContainerStatuses[migrate].lastState.terminated.reason"


CASES_BY_NAME = {c.path.stem: c for c in CASES}


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
    from dataclasses import replace

    [with_metrics] = diagnose_pods(oom_drill, *OOM_POD)
    [without] = diagnose_pods(replace(oom_drill, metrics={}), *OOM_POD)
    assert without.root_cause == "oom_killed"
    assert without.confidence < with_metrics.confidence
    assert "prometheus: no memory_working_set series for this pod" in without.missing_evidence


def test_the_backend_api_pod_of_the_drill_is_healthy(oom_drill):
    diagnoses = diagnose_pods(oom_drill, "apps")
    backend = next(d for d in diagnoses if d.subject.name.startswith("backend-api-"))
    assert backend.root_cause == "healthy"
    assert any("peak 27" in str(e.value) and "256.0Mi limit" in str(e.value) for e in backend.evidence)


def test_a_crash_looping_container_that_just_restarted_is_a_crash_loop_not_a_readiness_failure():
    diagnosis = diagnose_fixture("crash-loop-just-restarted")
    assert diagnosis.root_cause == "crash_loop"
    assert "probe_failure" not in dict(diagnosis.other_causes)


def test_one_failed_liveness_probe_on_a_ready_pod_that_never_restarted_is_not_a_finding():
    assert diagnose_fixture("liveness-blip-healthy").root_cause == "healthy"


def test_a_pod_not_ready_within_its_readiness_allowance_is_starting_not_a_probe_failure():
    # Started 18 s before the snapshot; its probe may take 10 s + 5 s x 3 failures. One failure so far.
    diagnosis = diagnose_fixture("starting-within-readiness-allowance")
    assert (diagnosis.root_cause, diagnosis.severity) == ("pod_starting", "info")
    assert not diagnosis.is_finding
    assert [cause for cause, _ in diagnosis.other_causes] == ["probe_failure"]  # what it would be later
    assert any(e.value == "False, within the 25 s its probes allow" for e in diagnosis.evidence)
    assert "only probes that have not passed yet" in diagnosis.summary
    assert any("Readiness probe failed" in str(e.value) for e in diagnosis.evidence)  # cited, weight 0


def test_the_same_pod_past_its_readiness_allowance_is_a_probe_failure():
    snapshot = fixture_snapshot("starting-within-readiness-allowance")
    later = replace(snapshot, captured_at=snapshot.captured_at + timedelta(seconds=10))
    assert diagnose_pods(later)[0].root_cause == "probe_failure"


def test_a_young_pod_still_creating_its_container_is_starting():
    diagnosis = diagnose_fixture("container-creating-young")
    assert diagnosis.root_cause == "pod_starting"
    assert any(e.value == "waiting: ContainerCreating" for e in diagnosis.evidence)


def test_a_pod_creating_its_container_for_15_minutes_is_not_starting_any_more():
    assert diagnose_fixture("container-creating-stale").root_cause == "unknown"


STARTING = "starting-within-readiness-allowance"  # running 18 s, readiness allows 25 s


def changed(name: str, change, extra: tuple[dict, ...] = (), **snapshot_fields):
    """The fixture `name` with `change(pod)` applied to its pod, `extra` objects added."""
    snapshot = fixture_snapshot(name)
    objects = copy.deepcopy(snapshot.objects)
    change(next(o for o in objects if o["kind"] == "Pod"))
    return replace(snapshot, objects=[*objects, *extra], **snapshot_fields)


def warning(pod_name: str, reason: str, message: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod_name}.{reason.lower()}", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": "shop"},
        "reason": reason,
        "type": "Warning",
        "message": message,
        "lastTimestamp": "2025-12-17T10:04:50Z",
    }


def web(pod: dict) -> dict:
    return pod["spec"]["containers"][0]


def web_status(pod: dict) -> dict:
    return pod["status"]["containerStatuses"][0]


def restarted_once(pod: dict) -> None:
    web_status(pod).update(restartCount=1, lastState={"terminated": {"reason": "Error", "exitCode": 1}})


def started_long_after_the_snapshot(pod: dict) -> None:
    web_status(pod)["state"]["running"]["startedAt"] = "2025-12-17T10:10:00Z"  # a clock 5 min ahead


def started_while_a_capture_listed(pod: dict) -> None:
    web_status(pod)["state"]["running"]["startedAt"] = "2025-12-17T10:05:30Z"  # after the clock was read


def slow_starter(pod: dict) -> None:
    # Started 60 s before the snapshot; a startup probe of up to 30 x 10 s, still failing.
    web(pod)["startupProbe"] = {"httpGet": {"path": "/health", "port": 8080}, "failureThreshold": 30}
    web_status(pod)["started"] = False
    web_status(pod)["state"]["running"]["startedAt"] = "2025-12-17T10:04:00Z"


def startup_failed(at: str) -> dict:
    event = warning("web-6d4cf56db6-new01", "Unhealthy", "Startup probe failed: connection refused")
    return event | {"involvedObject": event["involvedObject"] | {"fieldPath": "spec.containers{web}"},
                    "lastTimestamp": at}  # fmt: skip


def startup_passed(pod: dict) -> None:
    slow_starter(pod)
    web_status(pod)["started"] = True


def a_second_container_past_its_allowance(pod: dict) -> None:
    sidecar = copy.deepcopy(web(pod)) | {"name": "sidecar"}
    pod["spec"]["containers"].append(sidecar)
    status = copy.deepcopy(web_status(pod)) | {"name": "sidecar"}
    status["state"] = {"running": {"startedAt": "2025-12-17T09:00:00Z"}}
    pod["status"]["containerStatuses"].append(status)


def scheduling_gated(pod: dict) -> None:
    pod["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    del pod["status"]["containerStatuses"]


def null_probe_fields(pod: dict) -> None:
    web(pod)["readinessProbe"].update(periodSeconds=None, failureThreshold="three")


def huge_probe_fields(pod: dict) -> None:
    web(pod)["readinessProbe"].update(periodSeconds=2147483647, failureThreshold=2147483647)


@pytest.mark.parametrize(
    ("snapshot", "root_cause"),
    [
        (changed("container-creating-young", lambda pod: None,
                 (warning("web-6d4cf56db6-new02", "FailedAttachVolume", "AttachVolume.Attach failed"),)),
         "unknown"),
        (changed("container-creating-young", scheduling_gated), "unknown"),
        (changed(STARTING, restarted_once), "unknown"),
        (changed(STARTING, started_long_after_the_snapshot), "probe_failure"),
        (changed(STARTING, started_while_a_capture_listed), "pod_starting"),
        # Passed one period after its last failure at 10:04:20; readiness's 25 s ended at 10:04:55.
        (changed(STARTING, startup_passed, (startup_failed("2025-12-17T10:04:20Z"),)), "probe_failure"),
        # Last failure at 10:04:40: readiness may take until 10:05:15.
        (changed(STARTING, startup_passed, (startup_failed("2025-12-17T10:04:40Z"),)), "pod_starting"),
        # No failure recorded: the whole startup budget is the bound.
        (changed(STARTING, startup_passed), "pod_starting"),
        (changed(STARTING, a_second_container_past_its_allowance), "probe_failure"),
        (changed(STARTING, lambda pod: None, captured_at_known=False), "probe_failure"),
        (changed(STARTING, null_probe_fields), "pod_starting"),  # defaults: 30 s
        (changed(STARTING, huge_probe_fields), "pod_starting"),  # a day each, no overflow
    ],
    ids=["unknown-warning", "scheduling-gated", "restarted", "clock-ahead", "started-during-capture",
         "startup-passed-long-ago", "startup-passed-lately", "startup-passed-unrecorded",
         "other-container-past-allowance", "capture-time-unknown", "null-probe-fields", "huge-probe-fields"],
)  # fmt: skip
def test_what_keeps_a_young_pod_from_being_starting(snapshot, root_cause):
    assert diagnose_pods(snapshot)[0].root_cause == root_cause


def test_a_startup_probe_that_has_not_passed_extends_the_allowance():
    diagnosis = diagnose_pods(changed(STARTING, slow_starter))[0]
    assert diagnosis.root_cause == "pod_starting"
    assert any(e.value == "False, within the 325 s its probes allow" for e in diagnosis.evidence)
