"""`job_failed`: a Job gave up (BackoffLimitExceeded, DeadlineExceeded). One that failed an attempt
and then succeeded on retry is complete, not failed."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.workloads.pods import failing_pod_evidence
from incident_lib.facts import ObjectFacts


@rule("Job", "job_failed", version=1, severity="critical")
def job_failed(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.85 | `Failed=True` (BackoffLimitExceeded, DeadlineExceeded), not `Complete`
    - 0.1 | failed pods and backoffLimit
    - 0.2 each | each failing pod's diagnosis
    """
    failed = facts.condition("Failed")
    if failed.get("status") != "True" or facts.condition("Complete").get("status") == "True":
        return None
    obj = facts.obj
    evidence = [
        cite.object_field(
            obj,
            "status.conditions[Failed].reason",
            failed.get("reason", "Failed"),
            0.85,
            at=failed.get("lastTransitionTime"),
        ),
        cite.object_field(
            obj,
            "status.failed",
            f"{facts.status.get('failed', 0)} failed pod(s), backoffLimit "
            f"{facts.spec.get('backoffLimit', 6)}",
            0.1,
        ),
    ]
    evidence += failing_pod_evidence(facts, facts.view.workload_pods(facts.obj))
    reason = failed.get("reason", "Failed")
    fix = (
        "Give the Job more time (activeDeadlineSeconds) or make it faster"
        if reason == "DeadlineExceeded"
        else "Read the failed pods' logs, fix the cause, and re-run the Job"
    )
    recs = (
        Recommendation(
            action=fix,
            why=f"the Job stopped retrying: {failed.get('message') or reason}",
            evidence=tuple(evidence),
            command=f"kubectl logs -n {obj.namespace} job/{obj.name} --tail=100",
        ),
    )
    return Match(f"Job {obj.name} failed ({reason}).", tuple(evidence), recs)
