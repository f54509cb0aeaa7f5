"""The demo: every notebook run on the shipped incidents, each run in its own folder under one root."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from incident_lib.errors import InputError
from incident_lib.sources.bundle import read_bundle

OOM_POD = ("default", "oom-test-7f77d89c59-vqgkt")
METRICS_RUNS = (("latency", "apps"), ("bad-service", "default"))  # (shipped incident, its drill's namespace)


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
    """Every notebook on the shipped incidents: diagnose (the OOM drill pod and a healthy backend-api
    pod), the sweep, a postmortem per shipped incident, the metrics of the OOM, latency and bad-service
    drills' namespaces, and the runbook."""
    incidents, notebooks = root / "incidents", root / "notebooks"
    oom = str(incidents / "oom-drill")
    yield DemoRun(
        notebooks / "diagnose.ipynb",
        {"source": oom, "namespace": OOM_POD[0], "pod": OOM_POD[1]},
        "diagnose-oom-test",
    )
    backend = _pod_of_app(incidents / "oom-drill", "apps", "backend-api")
    yield DemoRun(
        notebooks / "diagnose.ipynb",
        {"source": oom, "namespace": "apps", "pod": backend},
        "diagnose-backend-api",
    )
    yield DemoRun(notebooks / "sweep.ipynb", {"source": oom}, "sweep")
    for incident in shipped_incidents(root):
        yield DemoRun(
            notebooks / "postmortem.ipynb", {"source": str(incident)}, f"postmortem-{incident.name}"
        )
    yield DemoRun(notebooks / "metrics.ipynb", {"source": oom, "namespace": "default"}, "metrics-default")
    for incident, namespace in METRICS_RUNS:
        if (incidents / incident).is_dir():
            yield DemoRun(
                notebooks / "metrics.ipynb",
                {"source": str(incidents / incident), "namespace": namespace},
                f"metrics-{incident}",
            )
    yield DemoRun(notebooks / "runbook.ipynb", {"source": oom}, "runbook")


def shipped_incidents(root: Path) -> list[Path]:
    """The bundles under `incidents/`, by name."""
    return sorted(p.parent for p in (root / "incidents").glob("*/manifest.json"))


def _pod_of_app(bundle: Path, namespace: str, app: str) -> str:
    for pod in read_bundle(bundle).of_kind("Pod"):
        meta = pod["metadata"]
        if meta.get("namespace") == namespace and (meta.get("labels") or {}).get("app") == app:
            return meta["name"]
    raise InputError(f"{bundle}: no pod labelled app={app} in namespace {namespace}")
