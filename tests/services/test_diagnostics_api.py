"""The diagnostics API as a real uvicorn process on the shipped OOM drill bundle, over HTTP."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from diagnostics_proc import ROOT, RunningApi, start_api

BUNDLE = ROOT / "incidents" / "oom-drill"
OOM_POD = "oom-test-7f77d89c59-vqgkt"
# The runbook's curl bodies, unchanged.
SERVICE_ASK = {"namespace": "apps", "service_name": "backend-api", "include_logs": False}
POD_ASK = {"namespace": "default", "pod_name": OOM_POD, "include_logs": True}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    running = start_api(tmp_path_factory.mktemp("diagnostics"), INCIDENT_BUNDLE=str(BUNDLE))
    yield running
    running.stop()


def ask(api: RunningApi, body: object, **kwargs) -> httpx.Response:
    return httpx.post(f"{api.url}/ask", json=body, timeout=10, **kwargs)


def test_health_and_ready_name_the_bundle(api: RunningApi) -> None:
    assert httpx.get(f"{api.url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{api.url}/ready")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True
    assert ready.json()["checks"]["bundle"]["ok"] is True
    assert "captured 2025-12-17T10:05:00Z" in ready.json()["checks"]["bundle"]["detail"]


def test_runbook_service_example_is_healthy(api: RunningApi) -> None:
    response = ask(api, SERVICE_ASK)
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == {"kind": "Service", "namespace": "apps", "name": "backend-api"}
    assert body["root_cause"] == "healthy"
    assert "logs" not in body
    assert {"confidence", "evidence", "recommendations", "rule", "severity", "summary"} <= set(body)


def test_runbook_pod_example_is_oom_killed_with_cited_evidence_and_logs(api: RunningApi) -> None:
    response = ask(api, POD_ASK)
    assert response.status_code == 200
    body = response.json()
    assert body["root_cause"] == "oom_killed"
    assert 0.5 < body["confidence"] <= 0.99
    ids = {e["id"] for e in body["evidence"]}
    assert "OOMKilled" in next(e["value"] for e in body["evidence"] if e["source"] == "pod.status")
    assert body["recommendations"]
    for recommendation in body["recommendations"]:
        assert recommendation["evidence"] and set(recommendation["evidence"]) <= ids
    logs = body["logs"]
    assert logs["pods"] == [OOM_POD]
    by_kind = {entry["previous"]: entry for entry in logs["captured"]}
    assert set(by_kind) == {False, True}  # the current and the OOM-killed instance's log
    assert any("got signal 9" in line for line in by_kind[True]["lines"])
    assert logs["note"] is None


def test_same_request_same_bytes(api: RunningApi) -> None:
    assert ask(api, POD_ASK).content == ask(api, POD_ASK).content


def test_service_with_every_pod_ready_says_no_logs_were_included(api: RunningApi) -> None:
    logs = ask(api, {**SERVICE_ASK, "include_logs": True}).json()["logs"]
    assert logs["captured"] == []
    assert "ready" in logs["note"]


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"namespace": "Apps!", "pod_name": OOM_POD}, ["body", "namespace"], "DNS-1123"),
        ({"namespace": "default", "pod_name": "Oom_Test"}, ["body", "pod_name"], "DNS-1123"),
        ({"namespace": "apps", "pod_name": "a", "service_name": "b"}, ["body"], "both given"),
        ({"namespace": "apps", "include_logs": True}, ["body"], "neither given"),
        ({"namespace": "apps", "service_name": "backend-api", "verbose": True}, ["body", "verbose"], "Extra"),
        (
            {"namespace": "apps", "service_name": "backend-api", "include_logs": "maybe"},
            ["body", "include_logs"],
            "",
        ),
        ({"namespace": "a" * 64, "service_name": "backend-api"}, ["body", "namespace"], "at most 63"),
        ({"service_name": "backend-api"}, ["body", "namespace"], "required"),
    ],
)
def test_bad_requests_are_422_naming_the_field(api: RunningApi, body: dict, loc: list, words: str) -> None:
    response = ask(api, body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    assert words in error["msg"]
    assert "Traceback" not in response.text


def test_a_pod_name_over_its_limit_is_422_naming_the_field(api: RunningApi) -> None:
    response = ask(api, {"namespace": "apps", "pod_name": "a" * 254})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "pod_name"]


def test_an_oversized_body_is_refused_before_parsing(api: RunningApi) -> None:
    huge = {"namespace": "apps", "service_name": "backend-api", "padding": "x" * 100_000}
    declared = ask(api, huge)
    assert declared.status_code == 413
    assert "limit" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"namespace": "apps", "service_name": "'
        for _ in range(20):
            yield b"a" * 1000
        yield b'"}'

    chunked = httpx.post(f"{api.url}/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ({"namespace": "apps", "pod_name": "backend-api"}, "did you mean backend-api-b6x9lqnrjx-smgvh?"),
        ({"namespace": "apps", "service_name": "payment-service"}, "did you mean payments-service"),
        ({"namespace": "app", "service_name": "backend-api"}, "did you mean apps?"),
    ],
)
def test_unknown_names_are_404_with_the_closest_ones(api: RunningApi, body: dict, hint: str) -> None:
    response = ask(api, body)
    assert response.status_code == 404
    assert hint in response.json()["detail"]


def test_openapi_documents_ask_with_its_fields_and_examples(api: RunningApi) -> None:
    document = httpx.get(f"{api.url}/openapi.json").json()
    post = document["paths"]["/ask"]["post"]
    assert {"200", "404", "413", "422", "503"} <= set(post["responses"])
    schema = document["components"]["schemas"]["AskRequest"]
    assert set(schema["properties"]) == {"namespace", "pod_name", "service_name", "include_logs"}
    assert schema["additionalProperties"] is False
    assert all(schema["properties"][f].get("description") for f in schema["properties"])
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert {"namespace": "apps", "service_name": "backend-api", "include_logs": False} in [
        e["value"] for e in examples.values()
    ]
    assert {"/health", "/ready"} <= set(document["paths"])


def test_docs_serve_swagger_ui_and_its_assets_from_the_api_itself(api: RunningApi) -> None:
    page = httpx.get(f"{api.url}/docs")
    assert page.status_code == 200
    assets = re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', page.text)
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= {asset.rsplit("/", 1)[-1] for asset in assets}
    assert "http://" not in page.text and "https://" not in page.text  # no CDN: it works offline
    for asset in assets:
        answer = httpx.get(f"{api.url}{asset}")
        assert answer.status_code == 200, asset
        assert answer.content
    assert "url: '/openapi.json'" in page.text


def test_logs_are_redacted_even_from_a_hand_made_bundle(tmp_path: Path) -> None:
    bundle = shutil.copytree(BUNDLE, tmp_path / "bundle")
    log = bundle / "logs" / "default" / OOM_POD / "app.log"
    log.write_text(
        log.read_text() + "connecting with password=hunter2 and Authorization: Bearer abc.def.ghi\n"
    )
    running = start_api(tmp_path, INCIDENT_BUNDLE=str(bundle))
    try:
        logs = httpx.post(f"{running.url}/ask", json=POD_ASK).json()["logs"]
    finally:
        running.stop()
    current = next(e for e in logs["captured"] if not e["previous"])
    assert "password=[REDACTED]" in current["lines"][-1]
    assert "hunter2" not in str(logs) and "abc.def.ghi" not in str(logs)


def test_a_bundle_that_does_not_read_is_not_ready_and_says_why(tmp_path: Path) -> None:
    running = start_api(tmp_path, INCIDENT_BUNDLE=str(tmp_path / "missing"))
    try:
        assert httpx.get(f"{running.url}/health").status_code == 200
        ready = httpx.get(f"{running.url}/ready")
        asked = httpx.post(f"{running.url}/ask", json=SERVICE_ASK)
    finally:
        running.stop()
    assert ready.status_code == 503
    assert ready.json()["checks"]["bundle"]["ok"] is False
    assert "bundle not found" in ready.json()["checks"]["bundle"]["detail"]
    assert asked.status_code == 503
    assert "bundle not found" in asked.json()["detail"]


def test_an_invalid_setting_exits_2_with_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.diagnostics"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "INCIDENT_SOURCE": "live"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "PROMETHEUS_URL" in done.stderr
    assert "Traceback" not in done.stderr
