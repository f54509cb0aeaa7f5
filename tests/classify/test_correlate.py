"""Correlation: a traffic finding names the first cause in time of its namespace."""

from __future__ import annotations

from incident_lib.classify.correlate import with_first_causes
from incident_lib.classify.diagnosis import Diagnosis, Subject
from incident_lib.classify.evidence import Evidence, Finding


def diagnosis(kind: str, name: str, cause: str, at: str, namespace: str = "apps") -> Diagnosis:
    evidence = (Evidence("x", "y", "z", 0.5, at=at),)
    finding = Finding(cause, f"{kind.lower()}s.{cause}/1", "critical", f"{name} {cause}.", evidence)
    return Diagnosis.from_findings(Subject(kind, namespace, name), [finding])


def test_5xx_on_backend_api_names_the_oom_kill_that_started_first():
    oom = diagnosis("Pod", "payments-service-7d9f-x2", "oom_killed", "2025-12-17T10:00:00Z")
    endpoints = diagnosis(
        "Service", "payments-service", "service_endpoints_not_ready", "2025-12-17T10:01:00Z"
    )
    errors = diagnosis("Service", "backend-api", "high_error_rate", "2025-12-17T10:02:00Z")
    elsewhere = diagnosis("Pod", "other-1", "crash_loop", "2025-12-17T09:00:00Z", namespace="shop")
    linked = with_first_causes([errors, endpoints, oom, elsewhere])[0]
    assert linked.summary.endswith(
        "First cause in time: pod payments-service-7d9f-x2 oom_killed at 2025-12-17T10:00:00Z."
    )
    assert (
        linked.evidence[-1].source == "cause" and linked.evidence[-1].field == "Pod/payments-service-7d9f-x2"
    )
    assert linked.confidence >= errors.confidence


def test_a_finding_that_started_after_the_errors_is_not_their_cause():
    errors = diagnosis("Service", "backend-api", "high_error_rate", "2025-12-17T10:02:00Z")
    later = diagnosis("Pod", "payments-service-7d9f-x2", "oom_killed", "2025-12-17T10:30:00Z")
    assert with_first_causes([errors, later])[0] == errors


def test_a_slow_caller_names_the_slow_service_it_waits_on_when_nothing_else_failed():
    payments = diagnosis("Service", "payments-service", "high_latency", "2025-12-17T10:40:15Z")
    backend = diagnosis("Service", "backend-api", "high_latency", "2025-12-17T10:41:45Z")
    linked = {d.subject.name: d for d in with_first_causes([payments, backend])}
    assert linked["backend-api"].summary.endswith(
        "First cause in time: service payments-service high_latency at 2025-12-17T10:40:15Z."
    )
    assert linked["payments-service"] == payments  # nothing started before it


def test_a_failure_hours_before_the_errors_is_history_not_their_cause():
    backup = diagnosis("Pod", "backup-29472159-x", "pod_failed", "2025-12-17T03:00:00Z")
    errors = diagnosis("Service", "web", "high_error_rate", "2025-12-17T10:02:00Z")
    assert with_first_causes([errors, backup])[0] == errors
