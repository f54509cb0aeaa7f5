"""The diagnostics API on a bundle that does not read, as a real process (`python -m services.diagnostics`).

Whatever is wrong with the bundle (a bad shape, deep nesting, a `kind` that is a number, a missing path,
a tar bomb), the API starts: `/health` answers 200, `/ready` answers 503 with one line naming the bundle
and the problem, and `POST /ask` answers 503 with the same line.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.helpers import ROOT
from tests.services.diagnostics_proc import start_api

OOM_DRILL = ROOT / "incidents" / "oom-drill"
MANIFEST = json.dumps({"format": "incident-bundle/v1", "captured_at": "2025-12-17T10:05:00Z"}).encode()
SERVICE_ASK = {"namespace": "apps", "service_name": "backend-api"}


def with_cluster(change: Callable[[dict], object]) -> Callable[[Path], Path]:
    """A copy of the OOM drill whose k8s/cluster.json is `change(the list)` (written back as JSON)."""

    def make(tmp_path: Path) -> Path:
        bundle = shutil.copytree(OOM_DRILL, tmp_path / "bundle")
        cluster = bundle / "k8s" / "cluster.json"
        cluster.write_text(json.dumps(change(json.loads(cluster.read_text()))))
        return bundle

    return make


def pods_with_status_list(cluster: dict) -> dict:
    pods = [{**item, "status": []} if item["kind"] == "Pod" else item for item in cluster["items"]]
    return {**cluster, "items": pods}


def deeply_nested(tmp_path: Path) -> Path:
    bundle = shutil.copytree(OOM_DRILL, tmp_path / "bundle")
    deep = "[" * 10_000 + "]" * 10_000  # past the parser's recursion limit, in a file of ordinary density
    (bundle / "k8s" / "cluster.json").write_text(
        f'{{"kind": "List", "items": [], "note": "{"x" * 100_000}", "deep": {deep}}}'
    )
    return bundle


def tar_bomb(tmp_path: Path) -> Path:
    """A .tar.gz of a few hundred bytes whose member says it unpacks to 10 GiB."""
    header = tarfile.TarInfo("k8s/cluster.json")
    header.size = 10 << 30
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz") as tar:
        manifest = tarfile.TarInfo("manifest.json")
        manifest.size = len(MANIFEST)
        tar.addfile(manifest, io.BytesIO(MANIFEST))
        tar.fileobj.write(header.tobuf(tarfile.GNU_FORMAT))  # the header alone: nothing follows
    return bomb


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        pytest.param(lambda tmp: tmp / "missing", "bundle not found", id="missing path"),
        pytest.param(with_cluster(pods_with_status_list), "a 'status' that is not an object", id="bad shape"),
        pytest.param(deeply_nested, "nested too deeply", id="deep nesting"),
        pytest.param(with_cluster(lambda c: {**c, "kind": 5}), "a 'kind' that is not a string", id="kind: 5"),
        pytest.param(tar_bomb, "unpacks to more than", id="tar bomb"),
    ],
)
def test_a_bundle_that_does_not_read_leaves_the_api_up_and_not_ready(
    tmp_path: Path, make: Callable[[Path], Path], problem: str
) -> None:
    bundle = make(tmp_path)
    running = start_api(tmp_path, INCIDENT_BUNDLE=str(bundle), INCIDENT_STORE=str(tmp_path / "store"))
    try:
        health = httpx.get(f"{running.url}/health", timeout=10)
        ready = httpx.get(f"{running.url}/ready", timeout=10)
        asked = httpx.post(f"{running.url}/ask", json=SERVICE_ASK, timeout=10)
        alive = running.process.poll() is None
    finally:
        running.stop()
    assert health.status_code == 200 and alive
    assert ready.status_code == 503
    check = ready.json()["checks"]["bundle"]
    assert check["ok"] is False
    [line] = check["detail"].splitlines()
    assert line.startswith(f"bundle {bundle} does not read: ") and problem in line, line
    assert asked.status_code == 503
    assert asked.json() == {"detail": line}
