"""Alertmanager's webhook payload: what a valid one says, and the field a malformed one names."""

from __future__ import annotations

import pytest

from incident_lib.classify.diagnosis import Subject
from incident_lib.incidents.alerts import PayloadError, label_subjects, parse_notification
from incident_lib.k8s.objects import parse_time
from tests.incidents.conftest import OOM_POD, alert, payload


def test_a_kube_prometheus_alert_names_its_pod_not_the_exporter_that_reported_it():
    notification = parse_notification(payload())
    [crash] = notification.alerts
    assert notification.alert_name == "KubePodCrashLooping"
    assert crash.subjects == (Subject("Pod", "default", OOM_POD),)  # service=kube-state-metrics is the job
    assert crash.starts_at == parse_time("2025-12-17T10:00:15.123456Z")
    assert crash.ends_at is None  # Alertmanager's 0001-01-01: no end yet
    assert crash.notes == ()


@pytest.mark.parametrize(
    ("labels", "subjects"),
    [
        ({"namespace": "apps", "deployment": "backend-api"}, [Subject("Deployment", "apps", "backend-api")]),
        (
            {"namespace": "apps", "service": "backend-api", "job": "apps"},
            [Subject("Service", "apps", "backend-api")],
        ),
        ({"namespace": "batch", "job_name": "nightly-28391"}, [Subject("Job", "batch", "nightly-28391")]),
        ({"node": "kubeworker2"}, [Subject("Node", "", "kubeworker2")]),
        ({"namespace": "apps"}, [Subject("Namespace", "apps", "apps")]),
        (
            {"namespace": "apps", "horizontalpodautoscaler": "web", "node": "kubeworker1"},
            [Subject("HorizontalPodAutoscaler", "apps", "web"), Subject("Node", "", "kubeworker1")],
        ),
    ],
)
def test_subjects_come_from_the_kube_prometheus_labels(labels, subjects):
    assert list(label_subjects(labels)[0]) == subjects


def test_an_alert_without_subject_labels_is_kept_with_a_note():
    notification = parse_notification(payload(alerts=[alert(labels={"alertname": "Watchdog"})]))
    [watchdog] = notification.alerts
    assert watchdog.subjects == ()
    assert watchdog.notes == (
        "no subject labels (namespace, pod, service, deployment, node…): nothing to diagnose",
    )


def test_a_label_that_is_not_a_kubernetes_name_never_becomes_a_subject():
    subjects, notes = label_subjects({"namespace": "default", "pod": "x/../../api?watch=1"})
    assert subjects == (Subject("Namespace", "default", "default"),)
    assert notes == ("label pod: invalid pod name 'x/../../api?watch=1': expected a DNS-1123 subdomain "
                     "(lowercase a-z, 0-9, '-', '.'): left out",)  # fmt: skip


def test_an_object_label_without_a_namespace_is_left_out_with_a_note():
    assert label_subjects({"deployment": "web"}) == (
        (),
        ("label deployment=web has no namespace label: left out",
         "no subject labels (namespace, pod, service, deployment, node…): nothing to diagnose"),
    )  # fmt: skip


def _with_third_alert(**changes) -> dict:
    return payload(
        alerts=[alert(fingerprint="a1"), alert(fingerprint="a2"), alert(**{"fingerprint": "a3", **changes})]
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_with_third_alert(startsAt="yesterday"), "alerts[2].startsAt: not an RFC 3339 time"),
        (_with_third_alert(startsAt="2025-12-17"), "alerts[2].startsAt: not an RFC 3339 time"),
        (_with_third_alert(endsAt=3), "alerts[2].endsAt: not an RFC 3339 time"),
        (_with_third_alert(labels={"pod": 7}), "alerts[2].labels.pod: expected a string"),
        (
            _with_third_alert(status="pending"),
            "alerts[2].status: expected one of firing, resolved, got 'pending'",
        ),
        (_with_third_alert(fingerprint=""), "alerts[2].fingerprint: required"),
        (payload(version="3"), "version: expected '4' (Alertmanager's webhook), got '3'"),
        (payload(groupKey=""), "groupKey: required"),
        (payload(alerts=[]), "alerts: expected a non-empty list of alerts"),
        (payload(commonLabels=["a"]), "commonLabels: expected an object of strings"),
        ([], "body: expected a JSON object"),
    ],
)
def test_a_malformed_payload_names_the_field(document, message):
    with pytest.raises(PayloadError) as raised:
        parse_notification(document)
    assert str(raised.value) == message


def test_fields_alertmanager_may_add_later_are_ignored():
    assert parse_notification(payload(newField={"x": 1})).group_key == payload()["groupKey"]
