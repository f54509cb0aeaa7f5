"""`completed`: the pod ran to completion (a Job's pod, a one-off task): not a problem."""

from __future__ import annotations

from tests.classify.objects import cited, pod_diagnosis


def job_pod(phase: str, exit_code: int) -> dict:
    """The pod of Job report-29472159, ended in `phase` with its container's `exit_code`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "report-29472159-abcde",
            "namespace": "shop",
            "ownerReferences": [{"kind": "Job", "name": "report-29472159", "controller": True}],
        },
        "spec": {"restartPolicy": "Never", "containers": [{"name": "report"}]},
        "status": {
            "phase": phase,
            "containerStatuses": [
                {
                    "name": "report",
                    "ready": False,
                    "state": {
                        "terminated": {
                            "reason": "Completed" if exit_code == 0 else "Error",
                            "exitCode": exit_code,
                            "finishedAt": "2025-12-17T10:00:40Z",
                        }
                    },
                }
            ],
        },
    }


def job(complete: bool) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "report-29472159", "namespace": "shop"},
        "status": {"conditions": [{"type": "Complete", "status": str(complete)}]},
    }


def test_a_pod_that_exited_0_and_succeeded_is_completed():
    diagnosis = pod_diagnosis(job_pod("Succeeded", 0))
    assert (diagnosis.root_cause, diagnosis.severity) == ("completed", "info")
    assert not diagnosis.is_finding
    assert cited(diagnosis, "status.phase") == "Succeeded"
    assert cited(diagnosis, "containerStatuses[report].state.terminated.reason") == "Completed (exit 0)"


def test_a_failed_attempt_of_a_job_a_retry_completed_is_history():
    diagnosis = pod_diagnosis(job_pod("Failed", 1), job(complete=True))
    assert (diagnosis.root_cause, diagnosis.severity) == ("completed", "info")
    assert cited(diagnosis, "metadata.ownerReferences") == "Job report-29472159, which has since completed"


def test_a_failed_attempt_of_a_job_not_complete_is_not_completed():
    assert pod_diagnosis(job_pod("Failed", 1), job(complete=False)).root_cause == "pod_failed"
