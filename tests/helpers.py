"""Where the shipped incident, the corpus and the hand-written fixtures live, and bundles made by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from incident_lib.k8s.objects import iter_objects, parse_time
from incident_lib.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]
OOM_DRILL = ROOT / "incidents" / "oom-drill"
CORPUS = Path(__file__).parent / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
OOM_POD = ("default", "oom-test-7f77d89c59-vqgkt")
CAPTURED_AT = parse_time("2025-12-17T10:05:00Z")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`incident-lab ARGS` as users run it: a process of its own, from the project's folder."""
    return subprocess.run(
        [sys.executable, "-m", "incident_lib.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )


def write_bundle(root: Path, objects: list[dict], manifest: dict | None = None, **files: object) -> Path:
    """A bundle made the way a person would by hand: one `kubectl get -o json` List plus a manifest.

    `files` maps more relative paths (with `/` written as `__`) to JSON-able content or text.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "k8s").mkdir(exist_ok=True)
    (root / "manifest.json").write_text(
        json.dumps(manifest or {"format": "incident-bundle/v1", "captured_at": "2025-12-17T10:05:00Z"})
    )
    (root / "k8s" / "cluster.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": objects})
    )
    for name, content in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return root


def fixture_snapshot(name: str) -> Snapshot:
    """A hand-written case from tests/fixtures/pods: a `kubectl get pods,events -o json` List, seen at
    2025-12-17T10:05:00Z."""
    document = json.loads((FIXTURES / "pods" / f"{name}.json").read_text())
    return Snapshot(captured_at=CAPTURED_AT, objects=list(iter_objects(document)))
