"""The diagnostics API in live mode: a real process reading the Kubernetes API double over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from diagnostics_proc import RunningApi, start_api
from service_procs import free_port

from tests.servers.cluster import recorded_logs, recorded_objects
from tests.servers.kube_api import KubeApiDouble, kubeconfig_yaml

OOM_POD = "oom-test-7f77d89c59-vqgkt"


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApi, KubeApiDouble]]:
    """The API on the double's cluster, with PROMETHEUS_URL on a port nothing listens on."""
    workdir = tmp_path_factory.mktemp("live")
    with KubeApiDouble(recorded_objects(), recorded_logs()) as kube:
        kubeconfig = workdir / "kubeconfig"
        kubeconfig.write_text(kubeconfig_yaml(kube.url))
        running = start_api(
            workdir,
            INCIDENT_SOURCE="live",
            KUBECONFIG=str(kubeconfig),
            PROMETHEUS_URL=f"http://127.0.0.1:{free_port()}",
        )
        yield running, kube
        running.stop()


def test_ready_names_the_source_that_does_not_answer(live_api: tuple[RunningApi, KubeApiDouble]) -> None:
    api, _ = live_api
    ready = httpx.get(f"{api.url}/ready", timeout=15)
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["kubernetes"]["ok"] is True
    assert "v1.28.15" in checks["kubernetes"]["detail"]
    assert checks["prometheus"]["ok"] is False
    assert "does not answer" in checks["prometheus"]["detail"]


def test_a_live_pod_is_diagnosed_with_field_selectors_and_metrics_missing(
    live_api: tuple[RunningApi, KubeApiDouble],
) -> None:
    api, kube = live_api
    before = kube.count("/pods")
    body = httpx.post(
        f"{api.url}/ask", json={"namespace": "default", "pod_name": OOM_POD, "include_logs": True}, timeout=30
    ).json()
    assert body["root_cause"] == "oom_killed"
    assert any(m.startswith("prometheus:") for m in body["missing_evidence"])
    assert any(e["previous"] for e in body["logs"]["captured"])
    assert kube.count("/pods", fieldSelector=f"metadata.name={OOM_POD}") >= 1
    assert kube.count("/pods") - before <= 4  # the pod and its logs, never a sweep of every pod


def test_a_live_unknown_pod_is_404_with_the_closest_names(live_api: tuple[RunningApi, KubeApiDouble]) -> None:
    api, _ = live_api
    response = httpx.post(f"{api.url}/ask", json={"namespace": "apps", "pod_name": "backend-api"}, timeout=30)
    assert response.status_code == 404
    assert "backend-api-b6x9lqnrjx-smgvh" in response.json()["detail"]


def test_a_live_service_is_diagnosed_from_a_sweep_of_its_namespace(
    live_api: tuple[RunningApi, KubeApiDouble],
) -> None:
    api, _ = live_api
    response = httpx.post(
        f"{api.url}/ask", json={"namespace": "apps", "service_name": "backend-api"}, timeout=30
    )
    assert response.status_code == 200
    assert response.json()["root_cause"] == "healthy"
