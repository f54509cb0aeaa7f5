"""The incident record, `incident.json`: made from a group's first notification, merged with the next.

One incident per Alertmanager group (`groupKey`). The id is the first alert's start time and a short
hash of the group key (`20251217T100347Z-3f2a9c1b0d`): sortable by time, derived only from what
Alertmanager sent, and safe as a folder name or a URL segment whatever the group key holds. Repeats of
a notification change nothing; alerts joining the group are added (one entry per fingerprint); a
`resolved` notification closes the incident with its end time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from incident_lib.classify.diagnosis import Diagnosis, Subject
from incident_lib.incidents.alerts import Alert, Notification
from incident_lib.k8s.objects import format_time

FORMAT = "incident/v1"
TOP_EVIDENCE = 3  # evidence lines a notification leads with
EVIDENCE_CHARS = 300  # of each


def group_hash(group_key: str) -> str:
    """Ten hex digits of the group key's SHA-256: the part of an id that names the group."""
    return hashlib.sha256(group_key.encode()).hexdigest()[:10]


def incident_id(group_key: str, first_start: datetime) -> str:
    return f"{first_start.strftime('%Y%m%dT%H%M%SZ')}-{group_hash(group_key)}"


def new_record(notification: Notification, opened_at: datetime) -> dict:
    """The record of a group seen for the first time: its alerts, no diagnosis yet."""
    record = {
        "format": FORMAT,
        "id": incident_id(notification.group_key, notification.first_start),
        "group_key": notification.group_key,
        "receiver": notification.receiver,
        "external_url": notification.external_url,
        "group_labels": notification.group_labels,
        "alert": notification.alert_name,
        "opened_at": format_time(opened_at),
        "diagnosed_at": None,
        "alerts": [],
        "root_cause": None,
        "confidence": None,
        "severity": None,
        "summary": None,
        "subject": None,
        "top_evidence": [],
        "rules": [],
        "diagnoses": [],
        "bundle": None,
        "reports": [],
        "notifications": [],
        "missing_evidence": [],
    }
    return merged(record, notification)


def is_same_incident(record: dict, notification: Notification) -> bool:
    """True when `notification` continues `record`: still open, or naming an alert it already holds
    (the same fingerprint and start). A group that fires again after it was resolved is a new incident."""
    if record["status"] == "firing":
        return True
    known = {(a["fingerprint"], a["starts_at"]) for a in record["alerts"]}
    return any((a.fingerprint, format_time(a.starts_at)) in known for a in notification.alerts)


def merged(record: dict, notification: Notification) -> dict:
    """`record` with the notification's alerts (added, or updated by fingerprint) and status."""
    alerts = {a["fingerprint"]: a for a in record["alerts"]}
    for alert in notification.alerts:
        alerts[alert.fingerprint] = alert_entry(alert)
    ordered = sorted(alerts.values(), key=lambda a: (a["starts_at"], a["fingerprint"]))
    resolved = notification.status == "resolved"
    ends = [a["ends_at"] for a in ordered if a["ends_at"]]
    subjects = list(dict.fromkeys(tuple(s.values()) for a in ordered for s in a["subjects"]))
    return record | {
        "status": notification.status,
        "alerts": ordered,
        "started_at": ordered[0]["starts_at"],
        "resolved_at": max(ends) if resolved and ends else None,
        "subjects": [{"kind": k, "namespace": n, "name": m} for k, n, m in subjects],
        "namespaces": sorted({n for _, n, _ in subjects if n}),
        "common_labels": notification.common_labels,
        "truncated_alerts": notification.truncated_alerts,
    }


def alert_entry(alert: Alert) -> dict:
    return {
        "fingerprint": alert.fingerprint,
        "name": alert.name,
        "status": alert.status,
        "starts_at": format_time(alert.starts_at),
        "ends_at": format_time(alert.ends_at) if alert.ends_at else None,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "generator_url": alert.generator_url,
        "subjects": [{"kind": s.kind, "namespace": s.namespace, "name": s.name} for s in alert.subjects],
        "notes": list(alert.notes),
    }


def record_subjects(record: dict) -> list[Subject]:
    return [Subject(s["kind"], s["namespace"], s["name"]) for s in record["subjects"]]


def with_diagnosis(record: dict, diagnoses: list[Diagnosis], diagnosed_at: datetime) -> dict:
    """`record` with the diagnoses of the subjects its alerts name, then the other findings of the
    snapshot (`diagnose_all`'s answer, findings first). The root cause is the first finding about a named
    subject, else the first other finding, else what a named subject is (healthy)."""
    subjects = record_subjects(record)
    named = [d for d in diagnoses if d.subject in subjects]
    kept = named + [d for d in diagnoses if d.is_finding and d.subject not in subjects]
    top = next((d for d in kept if d.is_finding), None) or next(iter(named), None)
    fields = {
        "diagnosed_at": format_time(diagnosed_at),
        "diagnoses": [d.to_dict() for d in kept],
        "rules": sorted({d.rule for d in kept}),
    }
    if top is None:
        return record | fields
    evidence = [f"{e.field}: {e.value}"[:EVIDENCE_CHARS] for e in top.evidence if e.weight > 0]
    return (
        record
        | fields
        | {
            "root_cause": top.root_cause,
            "confidence": top.confidence,
            "severity": top.severity,
            "summary": top.summary,
            "subject": {
                "kind": top.subject.kind,
                "namespace": top.subject.namespace,
                "name": top.subject.name,
            },
            "top_evidence": evidence[:TOP_EVIDENCE],
        }
    )
