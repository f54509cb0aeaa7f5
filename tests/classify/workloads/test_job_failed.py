"""`job_failed`: a Job gave up (BackoffLimitExceeded, DeadlineExceeded); one that failed an attempt and
then succeeded on retry is complete, not failed."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def job(*conditions: dict) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "report-29472159", "namespace": "shop"},
        "spec": {"backoffLimit": 2},
        "status": {"failed": 3, "conditions": list(conditions)},
    }


BACKOFF_LIMIT = {
    "type": "Failed",
    "status": "True",
    "reason": "BackoffLimitExceeded",
    "message": "Job has reached the specified backoff limit",
    "lastTransitionTime": "2025-12-17T10:02:00Z",
}


def test_a_job_past_its_backoff_limit_failed():
    diagnosis = diagnosis_of("Job", "report-29472159", job(BACKOFF_LIMIT))
    assert (diagnosis.root_cause, diagnosis.severity) == ("job_failed", "critical")
    assert cited(diagnosis, "status.conditions[Failed].reason") == "BackoffLimitExceeded"
    assert cited(diagnosis, "status.failed") == "3 failed pod(s), backoffLimit 2"
    assert diagnosis.summary == "Job report-29472159 failed (BackoffLimitExceeded)."


def test_a_job_past_its_deadline_is_told_to_take_more_time():
    deadline = BACKOFF_LIMIT | {"reason": "DeadlineExceeded"}
    diagnosis = diagnosis_of("Job", "report-29472159", job(deadline))
    assert diagnosis.recommendations[0].action.startswith("Give the Job more time")


def test_a_job_that_failed_attempts_and_then_completed_did_not_fail():
    complete = {"type": "Complete", "status": "True", "lastTransitionTime": "2025-12-17T10:03:00Z"}
    assert diagnosis_of("Job", "report-29472159", job(complete)).root_cause == "healthy"
