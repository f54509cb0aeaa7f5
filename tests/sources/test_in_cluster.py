"""Inside a pod (the chart's sweep CronJob, the diagnostics API): no kubeconfig, the service account's
token and CA where the kubelet mounts them, and the API over HTTPS. The double serves TLS with a
certificate made here by openssl; the client verifies it against the mounted CA."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from incident_lib.errors import InputError
from incident_lib.sources import kubernetes
from incident_lib.sources.kubernetes import KubeSource
from tests.servers.cluster import recorded_objects
from tests.servers.kube_api import TOKEN, KubeApiDouble

OOM_POD = "oom-test-7f77d89c59-vqgkt"


def certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM), made by openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def pod(tmp_path, monkeypatch):
    """What a process in a pod sees: the API's address in its environment, the service account mounted,
    no kubeconfig. Yields the API double (HTTPS) and the mounted account's directory."""
    cert, key = certificate(tmp_path, "kubernetes")
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(TOKEN)
    shutil.copy(cert, account / "ca.crt")
    with KubeApiDouble(recorded_objects(), tls=(cert, key)) as api:
        host, port = api.url.removeprefix("https://").split(":")
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", host)
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", port)
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
        monkeypatch.setattr(kubernetes, "SERVICE_ACCOUNT", account)
        yield api, account


def test_in_a_pod_the_service_account_reads_the_api_over_verified_tls(pod):
    api, _ = pod
    source = KubeSource.connect()
    [listed] = source.list("Pod", "default")
    assert listed["metadata"]["name"] == OOM_POD
    assert (source.context, source.server) == ("in-cluster", api.url)
    assert api.requests[-1].path == "/api/v1/namespaces/default/pods"


def test_an_api_certificate_the_mounted_ca_did_not_sign_is_refused_in_one_line(pod, tmp_path):
    _, account = pod
    other_ca, _ = certificate(tmp_path, "someone-else")
    shutil.copy(other_ca, account / "ca.crt")
    with pytest.raises(
        InputError, match=r"cannot reach the Kubernetes API at https://.*CERTIFICATE_VERIFY_FAILED"
    ):
        KubeSource.connect().list("Pod", "default")


def test_a_token_the_api_does_not_accept_is_a_401_naming_the_context(pod):
    _, account = pod
    (account / "token").write_text("revoked")
    with pytest.raises(
        InputError,
        match=r"context 'in-cluster' \(401 Unauthorized\) .*; check the token mounted at .*serviceaccount",
    ):
        KubeSource.connect().list("Pod", "default")


def test_a_pod_without_a_mounted_token_says_so(pod):
    _, account = pod
    (account / "token").unlink()  # automountServiceAccountToken: false
    with pytest.raises(
        InputError, match=r"in-cluster service account at .*serviceaccount: Service token file"
    ):
        KubeSource.connect()
