"""Live collection, capture and the round trip: the live diagnosis equals the diagnosis of its capture."""

from __future__ import annotations

import copy
import json
import subprocess
import tarfile

import pytest

from incident_lib.capture import write_bundle
from incident_lib.cli import main
from incident_lib.diagnose import diagnose_pods
from incident_lib.k8s.objects import parse_time
from incident_lib.needs import collected_kinds
from incident_lib.sources.bundle import read_bundle
from incident_lib.sources.kubernetes import KubeSource
from incident_lib.sources.live import collect
from incident_lib.sources.prometheus import PrometheusSource
from tests.helpers import cli
from tests.servers.prometheus import OOM_POD, free_port

WINDOW = "2025-12-17T09:35:00Z/2025-12-17T10:05:00Z"
NOW = parse_time("2025-12-17T10:05:00Z")
NAMESPACES = ["apps", "default", "kube-system", "load", "monitoring"]
HUNTER2 = "hunter2-db-pass"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX3NpZw"


def run(capsys, *args: str) -> subprocess.CompletedProcess:
    """The command's `main` in this process (no interpreter start-up): exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def as_json(snapshot, namespace=None, pod=None) -> str:
    return json.dumps([d.to_dict() for d in diagnose_pods(snapshot, namespace, pod)])


def test_a_live_snapshot_and_its_capture_diagnose_identically(kubeconfig, prometheus, tmp_path):
    snapshot = collect(
        KubeSource.connect(), NAMESPACES, PrometheusSource(prometheus.url), WINDOW, captured_at=NOW
    )
    live = as_json(snapshot)
    assert json.loads(live)[0]["subject"]["name"] == OOM_POD
    assert json.loads(live)[0]["root_cause"] == "oom_killed"
    for target in (tmp_path / "bundle", tmp_path / "bundle.tar.gz"):
        saved = read_bundle(write_bundle(snapshot, target))
        assert as_json(saved) == live
        assert saved.manifest == snapshot.manifest and saved.metrics == snapshot.metrics
        assert saved.log("default", OOM_POD, "app", previous=True) == snapshot.log(
            "default", OOM_POD, "app", True
        )


def test_the_cli_live_diagnosis_equals_capture_then_bundle_diagnosis(kubeconfig, prometheus, tmp_path):
    live_args = ["--prometheus-url", prometheus.url, "--window", WINDOW]
    live = cli("diagnose", "--live", *live_args, "--format", "json")
    assert live.returncode == 0, live.stderr
    archive = tmp_path / "incident.tar.gz"
    captured = cli("capture", *(a for ns in NAMESPACES for a in ("-n", ns)), *live_args, "-o", str(archive))
    assert captured.returncode == 0, captured.stderr
    offline = cli("diagnose", "--bundle", str(archive), "--format", "json")
    assert offline.stdout == live.stdout
    assert json.loads(live.stdout)[0]["root_cause"] == "oom_killed"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and f"logs/default/{OOM_POD}/app.previous.log" in names
    assert "metrics/memory_working_set.default.json" in names and "k8s/pods.json" in names


def test_a_sweep_makes_one_list_per_kind_per_namespace_and_pages_only_large_ones(kubeconfig, kube_api):
    collect(KubeSource.connect(), ["apps", "load"], None, captured_at=NOW)
    lists = [r for r in kube_api.requests if "/namespaces/" in r.path and not r.path.endswith("/log")]
    per_namespace = {ns: [r for r in lists if f"/namespaces/{ns}/" in r.path] for ns in ("apps", "load")}
    namespaced = [k for k in collected_kinds() if k.namespaced]  # Istio's among them, which 404
    assert len(per_namespace["apps"]) == len(namespaced)
    assert len(per_namespace["load"]) == len(namespaced) + 1  # 600 pods: one more page
    assert not any("secrets" in r.path for r in kube_api.requests)


def test_one_pod_is_read_with_field_selectors_not_a_sweep(kubeconfig, kube_api):
    snapshot = collect(KubeSource.connect(), ["default"], None, pod=OOM_POD, captured_at=NOW)
    assert [p["metadata"]["name"] for p in snapshot.of_kind("Pod")] == [OOM_POD]
    assert kube_api.count("/namespaces/default/pods", fieldSelector=f"metadata.name={OOM_POD}") == 1
    assert (
        kube_api.count("/events", fieldSelector=f"involvedObject.kind=Pod,involvedObject.name={OOM_POD}") == 1
    )
    assert kube_api.count("/deployments") == 0
    assert snapshot.log("default", OOM_POD, "app", previous=True)


def test_one_pod_live_diagnoses_as_it_does_in_a_full_capture(kubeconfig, prometheus, tmp_path):
    prom = PrometheusSource(prometheus.url)
    one = collect(KubeSource.connect(), ["default"], prom, WINDOW, pod=OOM_POD, captured_at=NOW)
    full = read_bundle(write_bundle(collect(KubeSource.connect(), NAMESPACES, prom, WINDOW, captured_at=NOW),
                                    tmp_path / "b"))  # fmt: skip
    assert as_json(one, "default", OOM_POD) == as_json(full, "default", OOM_POD)


def test_prometheus_down_still_diagnoses_from_kubernetes_with_lower_confidence(kubeconfig, prometheus):
    kube = KubeSource.connect()
    with_metrics = collect(kube, ["default"], PrometheusSource(prometheus.url), WINDOW, captured_at=NOW)
    down = collect(kube, ["default"], PrometheusSource(f"http://127.0.0.1:{free_port()}", retries=0), WINDOW,
                   captured_at=NOW)  # fmt: skip
    [good], [degraded] = diagnose_pods(with_metrics), diagnose_pods(down)
    assert degraded.root_cause == good.root_cause == "oom_killed"
    assert degraded.confidence < good.confidence
    missing = degraded.to_dict().get("missing_evidence") or getattr(degraded, "missing", ())
    assert any("memory_working_set" in m for m in missing)
    assert any("cannot connect" in m for m in down.manifest["missing"])
    assert with_metrics.manifest["window"]["step"] == "15s"  # the drill Prometheus' scrape interval


def _leaky(objects: list[dict]) -> list[dict]:
    """The drill plus a crash-looping pod that prints secrets and carries them in its spec."""
    pod = copy.deepcopy(next(o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"] == OOM_POD))
    pod["metadata"].update(name="leaky", namespace="apps")
    pod["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
            {"spec": {"containers": [{"env": [{"name": "DB_PASSWORD", "value": HUNTER2}]}]}}
        )
    }
    container = pod["spec"]["containers"][0]
    container["env"] = [
        {"name": "DB_PASSWORD", "value": HUNTER2},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}},
    ]
    container["args"] = ["--token=tok-123456", "--verbose"]
    return [*objects, pod]


def test_a_capture_holds_no_secret_values(kubeconfig, kube_api, cluster_objects, tmp_path, capsys):
    kube_api.set_objects(_leaky(cluster_objects))
    kube_api.logs[("apps", "leaky", "app", True)] = (
        f"connecting with password={HUNTER2}\nGET /v1 Authorization: Bearer {JWT}\nready\n"
    )
    result = run(capsys, "capture", "-n", "apps", "-o", str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    text = "".join(f.read_text() for f in (tmp_path / "b").rglob("*") if f.is_file())
    for secret in (HUNTER2, JWT, "tok-123456"):
        assert secret not in text
    saved = read_bundle(tmp_path / "b")
    [leaky] = [p for p in saved.of_kind("Pod") if p["metadata"]["name"] == "leaky"]
    env = {e["name"]: e for e in leaky["spec"]["containers"][0]["env"]}
    assert env["DB_PASSWORD"]["value"] == "[REDACTED]" and env["LOG_LEVEL"]["value"] == "info"
    assert env["API_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "api", "key": "token"}
    assert "ready" in saved.log("apps", "leaky", "app", previous=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "defualt"], "namespace 'defualt' not found; did you mean default?"),
        (["-n", "apps", "--context", "down"], "cannot reach the Kubernetes API at http://127.0.0.1:"),
        (["-n", "apps", "--context", "lab-stranger"], "(401 Unauthorized)"),
        (["-n", 'x"} or vector(1)'], "invalid namespace name"),
        (["-n", "apps", "--window", "yesterday"], "window 'yesterday': expected a duration"),
    ],
    ids=["unknown-namespace", "unreachable", "unauthorized", "hostile-name", "bad-window"],
)
def test_a_failed_capture_is_one_line_and_leaves_nothing(kubeconfig, tmp_path, capsys, args, message):
    result = run(capsys, "capture", *args, "-o", str(tmp_path / "out" / "incident.tar.gz"))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_forbidden_pods_stop_a_capture_midway_without_a_partial_bundle(
    kubeconfig, kube_api, tmp_path, capsys
):
    kube_api.faults.forbidden.add(("list", "pods"))
    result = run(capsys, "capture", "-n", "apps", "-o", str(tmp_path / "b"))
    assert result.returncode == 2
    assert "may not list pods in namespace apps" in result.stderr and "sweep-rbac.yaml" in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "kubeconfig"]


def test_a_forbidden_optional_kind_is_missing_evidence_not_a_failure(kubeconfig, kube_api):
    kube_api.faults.forbidden.add(("list", "horizontalpodautoscalers"))
    snapshot = collect(KubeSource.connect(), ["apps"], None, captured_at=NOW)
    assert snapshot.of_kind("Pod")
    assert any(m.startswith("HorizontalPodAutoscaler: forbidden (403)") for m in snapshot.manifest["missing"])


def test_istio_objects_are_collected_when_the_cluster_serves_them(kubeconfig, kube_api, cluster_objects):
    rule = {
        "apiVersion": "networking.istio.io/v1beta1",
        "kind": "DestinationRule",
        "metadata": {"name": "payments-service", "namespace": "apps", "uid": "dr-1"},
        "spec": {"host": "payments-service", "subsets": [{"name": "v1", "labels": {"version": "v1"}}]},
    }
    kube_api.set_objects([*cluster_objects, rule])
    kube_api.faults.istio = True
    snapshot = collect(KubeSource.connect(), ["apps"], None, captured_at=NOW)
    [collected] = snapshot.of_kind("DestinationRule")
    assert collected["spec"]["host"] == "payments-service"
    assert "missing" not in snapshot.manifest or not any("istio" in m for m in snapshot.manifest["missing"])


def test_a_log_that_cannot_be_read_is_missing_evidence_and_the_next_is_still_read(kubeconfig, kube_api):
    kube_api.faults.fail[f"/pods/{OOM_POD}/log"] = [500] * 3  # every attempt at the first log: the current
    snapshot = collect(KubeSource.connect(), ["default"], None, captured_at=NOW)
    assert snapshot.log("default", OOM_POD, "app", previous=False) is None
    assert "got signal 9" in snapshot.log("default", OOM_POD, "app", previous=True)
    [missing] = [m for m in snapshot.manifest["missing"] if m.startswith("logs: ")]
    assert f"could not get pods/log of default/{OOM_POD} container app: 500" in missing
    assert missing.endswith("gave up after 3 attempts")


def test_logs_not_read_by_the_deadline_are_missing_evidence_not_a_failure(kubeconfig, kube_api):
    kube_api.faults.hang.add(f"/pods/{OOM_POD}/log")
    kube = KubeSource(KubeSource.connect().api_client, "lab", timeout=5, run_deadline=2)
    snapshot = collect(kube, ["default"], None, captured_at=NOW)
    assert snapshot.of_kind("Pod") and not snapshot.logs
    [missing] = [m for m in snapshot.manifest["missing"] if m.startswith("logs: ")]
    assert missing.startswith("logs: 2 not read: ") and "reached its deadline of 2 s" in missing


def test_an_item_of_another_kind_in_a_list_is_noted_in_the_manifest(kubeconfig, kube_api):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default"}}
    kube_api.faults.smuggle["/namespaces/default/pods"] = [secret]
    snapshot = collect(KubeSource.connect(), ["default"], None, captured_at=NOW)
    assert not snapshot.of_kind("Secret") and snapshot.of_kind("Pod")
    assert (
        "Pod: list pods in namespace default: left out an item of kind 'Secret' (apiVersion 'v1')"
        in (snapshot.manifest["missing"])
    )
