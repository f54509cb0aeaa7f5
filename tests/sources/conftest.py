"""Real servers for the live sources: the Kubernetes API double and Prometheus with the drill's metrics."""

from __future__ import annotations

import pytest

from tests.servers.cluster import generated_pods, recorded_logs, recorded_objects
from tests.servers.kube_api import TOKEN, KubeApiDouble
from tests.servers.prometheus import (
    MISSING,
    PROMETHEUS,
    PROMTOOL,
    PrometheusServer,
    free_port,
    openmetrics_for_drill,
)

LOAD_PODS = 600  # more than one page of 500: pagination is exercised on every sweep of `load`


@pytest.fixture(scope="session")
def cluster_objects() -> list[dict]:
    """The drill's recorded objects plus a namespace `load` of generated pods."""
    return recorded_objects() + generated_pods("load", LOAD_PODS)


@pytest.fixture
def kube_api(cluster_objects):
    """A fresh API double per test (faults are per test), serving the drill's objects and logs."""
    with KubeApiDouble(cluster_objects, recorded_logs()) as server:
        yield server


@pytest.fixture
def kubeconfig(tmp_path, kube_api, monkeypatch):
    """A kubeconfig whose current context `lab` is the double, and `down` a port nothing listens on;
    exported as KUBECONFIG, as a user's shell would."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- {{name: replay, cluster: {{server: "{kube_api.url}"}}}}
- {{name: nowhere, cluster: {{server: "http://127.0.0.1:{free_port()}"}}}}
users:
- {{name: sweep, user: {{token: {TOKEN}}}}}
- {{name: stranger, user: {{token: not-the-token}}}}
contexts:
- {{name: lab, context: {{cluster: replay, user: sweep}}}}
- {{name: lab-stranger, context: {{cluster: replay, user: stranger}}}}
- {{name: down, context: {{cluster: nowhere, user: sweep}}}}
current-context: lab
"""
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    return path


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory):
    """Debian's Prometheus on a free loopback port with the OOM drill's metrics (2025-12-17 09:20-10:05)."""
    if not (PROMETHEUS and PROMTOOL):
        pytest.skip(MISSING)
    server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), openmetrics_for_drill())
    yield server
    server.stop()
