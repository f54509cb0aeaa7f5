"""Redaction: secrets in env values, command lines, annotations and logs never reach a bundle."""

from __future__ import annotations

import json

import pytest

from incident_lib.redact import REDACTED, redact_object, redact_text


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        ("GET /api Authorization: Bearer abc.def-123", "Authorization: Bearer [REDACTED]", "abc.def-123"),
        ('curl -H "authorization: Basic dXNlcjpwdw=="', "Basic [REDACTED]", "dXNlcjpwdw=="),
        ("login ok password=hunter2 user=bob", "password=[REDACTED] user=bob", "hunter2"),
        ('{"api_key": "k-123", "region": "eu"}', '"api_key": "[REDACTED]", "region": "eu"', "k-123"),
        ("DB_PASSWORD: s3cr3t", "DB_PASSWORD: [REDACTED]", "s3cr3t"),
        ("--token tok-9 --verbose", "--token [REDACTED] --verbose", "tok-9"),
        ("dsn postgres://app:pw42@db:5432/shop", "postgres://app:[REDACTED]@db:5432/shop", "pw42"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "jwt [REDACTED] end", "eyJhbGci"),
    ],
)
def test_secrets_in_text_are_replaced_and_the_rest_is_kept(line, kept, gone):
    redacted = redact_text(line)
    assert kept in redacted and gone not in redacted


@pytest.mark.parametrize(
    "line",
    [
        'Error: secret "db-creds" not found',  # config_error's evidence must survive
        "token bucket refilled; 12 keys cached",
        "OOMKilled: memory limit 256Mi reached",
    ],
)
def test_text_that_only_mentions_secrets_is_unchanged(line):
    assert redact_text(line) == line


def _pod(env: list[dict], **more) -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": "web", **more},
        "spec": {"containers": [{"name": "app", "env": env}]},
    }


def test_env_values_whose_names_say_secret_are_redacted_and_references_kept():
    pod = _pod(
        [
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "STRIPE_API_KEY", "value": "sk_live_1"},
            {"name": "LOG_LEVEL", "value": "debug"},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}},
        ]
    )
    env = redact_object(pod)["spec"]["containers"][0]["env"]
    assert [e.get("value") for e in env] == [REDACTED, REDACTED, "debug", None]
    assert env[3]["valueFrom"] == {"secretKeyRef": {"name": "api", "key": "token"}}
    assert pod["spec"]["containers"][0]["env"][0]["value"] == "hunter2"  # the input is not changed


def test_templates_of_workloads_are_redacted_too():
    cronjob = {
        "kind": "CronJob",
        "spec": {"jobTemplate": {"spec": {"template": _pod([{"name": "PGPASSWORD", "value": "x"}])}}},
    }
    redacted = redact_object(cronjob)
    assert (
        redacted["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"]
        == REDACTED
    )


def test_last_applied_configuration_is_redacted_as_the_object_it_holds():
    applied = json.dumps(_pod([{"name": "DB_PASSWORD", "value": "hunter2"}]))
    pod = _pod([], annotations={"kubectl.kubernetes.io/last-applied-configuration": applied, "team": "shop"})
    annotations = redact_object(pod)["metadata"]["annotations"]
    assert "hunter2" not in annotations["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(annotations["kubectl.kubernetes.io/last-applied-configuration"])["metadata"] == {
        "name": "web"
    }
    assert annotations["team"] == "shop"


def test_command_line_secrets_are_redacted():
    pod = {
        "spec": {
            "containers": [{"name": "app", "args": ["--password=pw1", "--port=8080"], "command": ["run"]}]
        }
    }
    assert redact_object(pod)["spec"]["containers"][0]["args"] == ["--password=[REDACTED]", "--port=8080"]


def test_an_object_without_secrets_is_returned_as_it_is():
    pod = _pod([{"name": "LOG_LEVEL", "value": "info"}], annotations={"team": "shop"})
    assert redact_object(pod) is pod


def test_event_and_status_messages_are_redacted():
    event = {
        "kind": "Event",
        "reason": "Failed",
        "message": 'Failed to pull image "registry.local/web:1": Get "https://bot:s3cr3t-pw@registry.local/v2/"',
    }
    redacted = redact_object(event)
    assert "s3cr3t-pw" not in redacted["message"]
    assert redacted["message"].startswith('Failed to pull image "registry.local/web:1"')
    assert event["message"].endswith('@registry.local/v2/"')  # the input is not changed in place


def test_probe_headers_are_redacted():
    probe = {
        "httpGet": {
            "path": "/health",
            "port": 8080,
            "httpHeaders": [
                {"name": "Authorization", "value": "Basic dXNlcjpodW50ZXIy"},
                {"name": "X-Request-Source", "value": "kubelet"},
            ],
        }
    }
    headers = redact_object({"livenessProbe": probe})["livenessProbe"]["httpGet"]["httpHeaders"]
    assert headers[0]["value"] != "Basic dXNlcjpodW50ZXIy"
    assert headers[1]["value"] == "kubelet"
