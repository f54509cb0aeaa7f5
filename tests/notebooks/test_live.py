"""The notebooks on a live cluster (`-p source live`), as the Helm chart's sweep CronJob runs them: over
real HTTP against the Kubernetes API double, found through KUBECONFIG."""

from __future__ import annotations

import json

from incident_lib import open_snapshot
from tests.helpers import OOM_POD, cli


def test_open_snapshot_live_reads_only_the_namespaces_asked_for(kubeconfig, kube_api):
    snapshot = open_snapshot("live", ["default"])
    assert snapshot.origin == "live:lab"
    assert {p["metadata"]["namespace"] for p in snapshot.of_kind("Pod")} == {"default"}
    assert "metrics: no Prometheus URL given (--prometheus-url)" in snapshot.manifest["missing"]
    assert kube_api.count("/namespaces/apps/") == 0


def test_the_sweep_notebook_sweeps_the_live_cluster_and_fails_on_its_critical_finding(
    tmp_path, kubeconfig, kube_api
):
    command = ["run", "notebooks/sweep.ipynb", "-p", "source", "live", "--out", str(tmp_path)]
    result = cli(*command, "--fail-on", "critical")
    assert result.returncode == 1, result.stderr
    [folder] = (tmp_path / "sweep").iterdir()
    document = json.loads((folder / "findings.json").read_text())
    assert document["parameters"]["source"] == "live"  # not resolved as a path
    assert document["captured_at"] != "2025-12-17T10:05:00Z"  # collected now, not the shipped bundle
    oom = next(f for f in document["findings"] if f["subject"]["kind"] == "Pod")
    assert (oom["subject"]["namespace"], oom["subject"]["name"]) == OOM_POD
    assert oom["root_cause"] == "oom_killed" and oom["severity"] == "critical"
    assert kube_api.count("/namespaces/default/pods") >= 1  # the kernel read the API, not a bundle
