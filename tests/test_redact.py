"""Redaction: secrets in env values, command lines, probes, annotations, messages and logs never reach a
bundle or an output. Every place, across the forms people use, is in tests/secrets; these are the
rules one by one, and the ordinary text that must survive them."""

from __future__ import annotations

import json

import pytest

from incident_lib.redact import KEYWORD_STEMS, REDACTED, redact_object, redact_text


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        ("GET /api Authorization: Bearer abc.def-123", "Authorization: Bearer [REDACTED]", "abc.def-123"),
        ('curl -H "authorization: Basic dXNlcjpwdw=="', "Basic [REDACTED]", "dXNlcjpwdw=="),
        ("login ok password=hunter2 user=bob", "password=[REDACTED] user=bob", "hunter2"),
        ("S3_ID=AKIAIOSFODNN7EXAMPLE", "S3_ID=[REDACTED]", "AKIAIOSFODNN7EXAMPLE"),  # detect-secrets: AWS
        ("redis://:s3cr3t@cache:6379/0", "redis://:[REDACTED]@cache:6379/0", "s3cr3t"),
        ("app --client-secret cs-1 --port 80", "--client-secret [REDACTED] --port 80", "cs-1"),
        ("mysql -uroot -ppw-2 -h db", "mysql -uroot -p[REDACTED] -h db", "pw-2"),
        ("curl -u deploy:pw-3 https://x", "curl -u deploy:[REDACTED] https://x", "pw-3"),
        ("GET /healthz?token=tk-4&v=1", "/healthz?token=[REDACTED]&v=1", "tk-4"),
        ("fatal: the admin password is pw-5", "the admin password is [REDACTED]", "pw-5"),
        ("Cookie: session=ck-6; theme=dark", "Cookie: [REDACTED]", "ck-6"),
        ("retry basic auth with user:pw-7", "basic auth with user:[REDACTED]", "pw-7"),
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
        "Pod/crashloop-test-5d8f9c7b6d-w4k2x",  # names look random enough unquoted
        'Successfully pulled image "registry.local/web@sha256:'
        'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"',
        "the password is incorrect for user app",
        "--use-service-account-credentials=true",
        '{"volumes":["istio-token"],"imagePullSecrets":null,"revision":"default"}',  # Istio's sidecar status
        "failed to authorize: failed to fetch oauth token: unexpected status from GET request",
        "app -p 8080 --pid-file=/run/app.pid",  # -p is a port, not mysql
        'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="apps", container!=""}[5m]))',
        "MountVolume.SetUp failed for volume /var/lib/kubelet/pods/0f0c94c7-37b4-4d5b-b3ee-683e6b9cb29d",
    ],
)
def test_text_that_only_mentions_secrets_is_unchanged(line):
    assert redact_text(line) == line


def test_redacting_twice_is_redacting_once():
    line = "Cookie: a=1 Authorization: Bearer x.y password=z -----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
    assert redact_text(redact_text(line)) == redact_text(line)


def test_a_private_key_is_redacted_to_its_end_line():
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    assert redact_text(f"loaded\n{key}\nlistening on :8080") == "loaded\n-----[REDACTED]\nlistening on :8080"


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


@pytest.mark.parametrize(
    ("command", "args", "redacted"),
    [
        (["app"], ["--password", "pw", "--port", "80"], ["--password", REDACTED, "--port", "80"]),
        (["curl"], ["-u", "ops:pw", "https://x"], ["-u", f"ops:{REDACTED}", "https://x"]),
        (["mysql"], ["-uroot", "-ppw", "shop"], ["-uroot", f"-p{REDACTED}", "shop"]),
        (["nginx"], ["-p", "/etc/nginx"], ["-p", "/etc/nginx"]),  # -p is a prefix here, not a password
    ],
)
def test_a_flag_and_its_value_in_two_arguments(command, args, redacted):
    container = {"name": "app", "command": command, "args": args}
    assert redact_object(container)["args"] == redacted


def test_random_looking_values_under_neutral_names_are_redacted_whole():
    config = "eyJhdXRocyI6eyJyZWdpc3RyeS5sb2NhbCI6eyJhdXRoIjoiY205aWIzUTZjSGM9In19fQ=="  # dockerconfigjson
    pod = _pod([{"name": "REGISTRY_CFG", "value": config}, {"name": "IMAGE_TAG", "value": "1.4.2-r3"}])
    assert [e["value"] for e in redact_object(pod)["spec"]["containers"][0]["env"]] == [REDACTED, "1.4.2-r3"]


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
                {"name": "X-Upstream", "value": "Bearer tk-1"},
            ],
        }
    }
    httpget = redact_object({"livenessProbe": probe})["livenessProbe"]["httpGet"]
    assert [h["value"] for h in httpget["httpHeaders"]] == [REDACTED, "kubelet", REDACTED]
    assert httpget["path"] == "/health"


def test_a_probe_path_loses_its_query_secrets():
    probe = {"httpGet": {"path": "/ready?access_token=tk-2&verbose=1", "port": 8080}}
    assert redact_object(probe)["httpGet"]["path"] == f"/ready?access_token={REDACTED}&verbose=1"


def test_every_keyword_detect_secrets_knows_holds_a_stem_that_lets_its_patterns_run():
    from detect_secrets.plugins.keyword import DENYLIST

    assert all(any(stem in keyword.replace("_?", "_") for stem in KEYWORD_STEMS) for keyword in DENYLIST)
