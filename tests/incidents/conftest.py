"""Real parts for the incident lifecycle: the Kubernetes API double and Prometheus (tests/sources), an
S3-compatible server (moto) on 127.0.0.1, HTTP receivers for notifications, and Alertmanager payloads."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from tests.servers.prometheus import OOM_POD, free_port
from tests.sources.conftest import cluster_objects, kube_api, kubeconfig, prometheus  # noqa: F401

BUCKET = "incidents"
CRASH_LOOPING = {
    "version": "4",
    "receiver": "incident-lab",
    "status": "firing",
    "groupKey": '{}:{alertname="KubePodCrashLooping", namespace="default"}',
    "groupLabels": {"alertname": "KubePodCrashLooping", "namespace": "default"},
    "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": "default", "severity": "warning"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.monitoring:9093",
    "truncatedAlerts": 0,
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "KubePodCrashLooping",
                "namespace": "default",
                "pod": OOM_POD,
                "container": "app",
                "job": "kube-state-metrics",
                "service": "kube-state-metrics",
                "severity": "warning",
            },
            "annotations": {"summary": "Pod default/oom-test is crash looping."},
            "startsAt": "2025-12-17T10:00:15.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=x",
            "fingerprint": "5d8d1c6fa4b2e3a1",
        }
    ],
}


def payload(**changes) -> dict:
    """The KubePodCrashLooping notification of the OOM drill's pod, with `changes` to its top level."""
    return copy.deepcopy(CRASH_LOOPING) | changes


def alert(**changes) -> dict:
    """The notification's alert, with `changes` (labels replaced whole when given)."""
    return copy.deepcopy(CRASH_LOOPING["alerts"][0]) | changes


def resolved(document: dict, ends_at: str = "2025-12-17T10:20:00Z") -> dict:
    """`document` as Alertmanager sends it when every alert of the group has resolved."""
    alerts = [a | {"status": "resolved", "endsAt": ends_at} for a in document["alerts"]]
    return document | {"status": "resolved", "alerts": alerts}


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST body, answering `status` to each."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(received.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hooks/incidents"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def failing_receiver() -> Iterator[Receiver]:
    server = Receiver(status=500)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on 127.0.0.1 with a bucket `incidents`; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_store(s3_server, monkeypatch) -> str:
    """An `s3://` store URL on the test's S3 server, reached as users configure it: the environment."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return f"s3://{BUCKET}/run-{free_port()}"
