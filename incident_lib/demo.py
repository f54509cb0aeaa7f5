"""The demo: every notebook run on the shipped incidents, outputs in one folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from incident_lib.errors import InputError
from incident_lib.sources.bundle import read_bundle

OOM_POD = ("default", "oom-test-7f77d89c59-vqgkt")


@dataclass(frozen=True)
class DemoRun:
    """One notebook run of the demo: which notebook, its parameters, and the name of its outputs."""

    notebook: Path
    parameters: dict[str, object]
    name: str


def project_root() -> Path:
    """The checkout with `notebooks/` and `incidents/`: the working directory, else the package's parent."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (candidate / "notebooks").is_dir() and (candidate / "incidents").is_dir():
            return candidate
    raise InputError("cannot find notebooks/ and incidents/: run from a checkout of the project")


def demo_runs(root: Path) -> Iterator[DemoRun]:
    """The diagnose notebook for the OOM drill pod and for the backend-api pod of the shipped incident."""
    bundle = root / "incidents" / "oom-drill"
    notebook = root / "notebooks" / "diagnose.ipynb"
    yield DemoRun(
        notebook, {"bundle": str(bundle), "namespace": OOM_POD[0], "pod": OOM_POD[1]}, "diagnose-oom-test"
    )
    backend = _pod_of_app(bundle, "apps", "backend-api")
    yield DemoRun(
        notebook, {"bundle": str(bundle), "namespace": "apps", "pod": backend}, "diagnose-backend-api"
    )


def _pod_of_app(bundle: Path, namespace: str, app: str) -> str:
    for pod in read_bundle(bundle).of_kind("Pod"):
        meta = pod["metadata"]
        if meta.get("namespace") == namespace and (meta.get("labels") or {}).get("app") == app:
            return meta["name"]
    raise InputError(f"{bundle}: no pod labelled app={app} in namespace {namespace}")
