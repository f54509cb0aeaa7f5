"""The incident record: one per Alertmanager group, repeats change nothing, joins add, resolution closes."""

from __future__ import annotations

from incident_lib.diagnose import diagnose_all
from incident_lib.incidents.alerts import parse_notification
from incident_lib.incidents.record import incident_id, is_same_incident, merged, new_record, with_diagnosis
from incident_lib.k8s.objects import parse_time
from tests.incidents.conftest import OOM_POD, alert, payload, resolved

OPENED = parse_time("2025-12-17T10:00:30Z")


def test_the_id_is_the_first_start_and_a_hash_of_the_group_key_safe_as_a_folder_name():
    record = new_record(parse_notification(payload(groupKey="{}/{}:../../etc")), OPENED)
    assert record["id"] == incident_id("{}/{}:../../etc", parse_time("2025-12-17T10:00:15Z"))
    assert record["id"].startswith("20251217T100015Z-") and "/" not in record["id"]
    assert record["status"] == "firing" and record["resolved_at"] is None


def test_a_repeat_of_the_same_notification_changes_nothing():
    record = new_record(parse_notification(payload()), OPENED)
    assert merged(record, parse_notification(payload())) == record


def test_an_alert_joining_the_group_is_added_once_by_fingerprint():
    record = new_record(parse_notification(payload()), OPENED)
    labels = {"alertname": "KubePodCrashLooping", "namespace": "apps", "deployment": "backend-api"}
    other = alert(fingerprint="77aa", startsAt="2025-12-17T10:02:00Z", labels=labels)
    joined = merged(record, parse_notification(payload(alerts=[*payload()["alerts"], other])))
    again = merged(joined, parse_notification(payload(alerts=[other])))
    assert [a["fingerprint"] for a in again["alerts"]] == ["5d8d1c6fa4b2e3a1", "77aa"]
    assert again["namespaces"] == ["apps", "default"]
    assert again["subjects"][-1] == {"kind": "Deployment", "namespace": "apps", "name": "backend-api"}
    assert again["id"] == record["id"] and again["started_at"] == "2025-12-17T10:00:15Z"


def test_resolved_closes_it_with_its_end_time_and_a_new_firing_is_a_new_incident():
    record = new_record(parse_notification(payload()), OPENED)
    closed = merged(record, parse_notification(resolved(payload())))
    assert closed["status"] == "resolved" and closed["resolved_at"] == "2025-12-17T10:20:00Z"
    assert is_same_incident(closed, parse_notification(resolved(payload())))  # a repeat of the resolution
    later = payload(alerts=[alert(startsAt="2025-12-17T11:00:00Z")])
    assert not is_same_incident(closed, parse_notification(later))


def test_the_root_cause_is_the_first_finding_about_the_subject_the_alert_names(oom_drill):
    record = new_record(parse_notification(payload()), OPENED)
    diagnosed = with_diagnosis(record, diagnose_all(oom_drill), OPENED)
    assert diagnosed["subject"] == {"kind": "Pod", "namespace": "default", "name": OOM_POD}
    assert (diagnosed["root_cause"], diagnosed["severity"], diagnosed["confidence"]) == (
        "oom_killed",
        "critical",
        0.95,
    )
    assert (
        diagnosed["top_evidence"][0]
        == "containerStatuses[app].lastState.terminated.reason: OOMKilled (exit 137)"
    )
    assert diagnosed["diagnoses"][0]["subject"]["name"] == OOM_POD
    assert "pods.oom_killed/1" in diagnosed["rules"]


def test_an_alert_naming_a_namespace_gets_the_namespace_s_first_finding(oom_drill):
    namespace_only = payload(
        alerts=[alert(labels={"alertname": "KubeQuotaAlmostFull", "namespace": "default"})]
    )
    diagnosed = with_diagnosis(
        new_record(parse_notification(namespace_only), OPENED), diagnose_all(oom_drill), OPENED
    )
    assert diagnosed["root_cause"] == "oom_killed"
    assert diagnosed["subject"]["name"] == OOM_POD
