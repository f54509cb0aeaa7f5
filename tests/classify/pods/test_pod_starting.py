"""`pod_starting`: a pod inside its start-up allowance, with nothing wrong seen yet. Not a problem;
past the allowance, or with anything failed, the other rules judge it."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta

import pytest

from incident_lib.diagnose import diagnose_pods
from tests.classify.objects import cited, fixture_diagnosis, pod_diagnosis
from tests.helpers import fixture_snapshot


def new_pod(created: str) -> dict:
    """A pod created at `created`, placed on a node, its container still being created."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-6d4c-n3", "namespace": "shop", "creationTimestamp": created},
        "spec": {"nodeName": "node-1", "containers": [{"name": "web"}]},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "web",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "ContainerCreating"}},
                }
            ],
        },
    }


def test_a_pod_creating_its_container_30_seconds_after_creation_is_starting():
    diagnosis = pod_diagnosis(new_pod("2025-12-17T10:04:30Z"))
    assert (diagnosis.root_cause, diagnosis.severity) == ("pod_starting", "info")
    assert not diagnosis.is_finding
    assert cited(diagnosis, "metadata.creationTimestamp") == "2025-12-17T10:04:30Z, 30 s before the snapshot"
    assert cited(diagnosis, "containerStatuses[web].state") == "waiting: ContainerCreating"


def test_the_same_pod_created_10_minutes_ago_is_past_its_allowance():
    assert pod_diagnosis(new_pod("2025-12-17T09:55:00Z")).root_cause == "unknown"


def test_a_pod_not_ready_within_its_readiness_allowance_is_starting_not_a_probe_failure():
    # Started 18 s before the snapshot; its probe may take 10 s + 5 s x 3 failures. One failure so far.
    diagnosis = fixture_diagnosis("starting-within-readiness-allowance")
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
    diagnosis = fixture_diagnosis("container-creating-young")
    assert diagnosis.root_cause == "pod_starting"
    assert any(e.value == "waiting: ContainerCreating" for e in diagnosis.evidence)


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
         "volume_mount_failed"),
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
    ids=["attach-warning", "scheduling-gated", "restarted", "clock-ahead", "started-during-capture",
         "startup-passed-long-ago", "startup-passed-lately", "startup-passed-unrecorded",
         "other-container-past-allowance", "capture-time-unknown", "null-probe-fields", "huge-probe-fields"],
)  # fmt: skip
def test_what_keeps_a_young_pod_from_being_starting(snapshot, root_cause):
    assert diagnose_pods(snapshot)[0].root_cause == root_cause


def test_a_startup_probe_that_has_not_passed_extends_the_allowance():
    diagnosis = diagnose_pods(changed(STARTING, slow_starter))[0]
    assert diagnosis.root_cause == "pod_starting"
    assert any(e.value == "False, within the 325 s its probes allow" for e in diagnosis.evidence)
