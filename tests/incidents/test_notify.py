"""Notifications through apprise, delivered to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from incident_lib.diagnose import diagnose_all
from incident_lib.incidents.alerts import parse_notification
from incident_lib.incidents.notify import Notifier, message, notify_urls
from incident_lib.incidents.record import merged, new_record, with_diagnosis
from incident_lib.k8s.objects import parse_time
from tests.incidents.conftest import OOM_POD, payload, resolved

OPENED = parse_time("2025-12-17T10:00:30Z")
LINK = "https://incidents.example/20251217T100015Z-abc/postmortem.html"


def _diagnosed(oom_drill) -> dict:
    return with_diagnosis(new_record(parse_notification(payload()), OPENED), diagnose_all(oom_drill), OPENED)


def test_the_message_says_the_root_cause_the_subject_the_evidence_and_the_link(oom_drill):
    title, body = message(_diagnosed(oom_drill), "opened", LINK)
    assert title == f"[FIRING] KubePodCrashLooping: oom_killed (Pod default/{OOM_POD})"
    assert body.splitlines()[:3] == [
        "Alert KubePodCrashLooping fired at 2025-12-17T10:00:15Z (1 alert(s)).",
        f"Subject: Pod default/{OOM_POD}",
        "Root cause: oom_killed (confidence 0.95, severity critical)",
    ]
    assert "- containerStatuses[app].lastState.terminated.reason: OOMKilled (exit 137)" in body
    assert body.endswith(f"Report: {LINK}")


def test_a_message_is_received_by_a_json_webhook_and_the_url_is_never_recorded(oom_drill, receiver):
    [result] = Notifier((receiver.url,)).send(_diagnosed(oom_drill), "opened", LINK)
    assert result["delivered"] and result["attempts"] == 1 and result["target"] == "json #1"
    assert "127.0.0.1" not in str(result)
    [received] = receiver.bodies
    assert received["title"].startswith("[FIRING] KubePodCrashLooping: oom_killed")
    assert LINK in received["message"]


def test_a_resolution_says_when(oom_drill, receiver):
    closed = merged(_diagnosed(oom_drill), parse_notification(resolved(payload())))
    Notifier((receiver.url,)).send(closed, "resolved", LINK)
    assert receiver.bodies[0]["title"].startswith("[RESOLVED] KubePodCrashLooping")
    assert "resolved at 2025-12-17T10:20:00Z" in receiver.bodies[0]["message"]


def test_a_failing_receiver_is_tried_a_bounded_number_of_times_and_the_failure_recorded(
    oom_drill, failing_receiver
):
    [result] = Notifier((failing_receiver.url,), attempts=3, pause_s=0.01).send(
        _diagnosed(oom_drill), "opened", LINK
    )
    assert len(failing_receiver.bodies) == 3
    assert result == {"event": "opened", "target": "json #1", "delivered": False, "attempts": 3,
                      "error": "not delivered after 3 attempts"}  # fmt: skip


def test_a_url_apprise_does_not_know_is_recorded_as_such(oom_drill):
    [result] = Notifier(("nosuchscheme://token@host",)).send(_diagnosed(oom_drill), "opened", LINK)
    assert result["error"] == "not a notification URL apprise knows" and result["target"] == "nosuchscheme #1"


def test_urls_are_separated_by_spaces_or_commas():
    assert notify_urls(" json://a/x, slack://T/B/C\nmailto://u:p@h ") == (
        "json://a/x",
        "slack://T/B/C",
        "mailto://u:p@h",
    )
