"""Labelled cases in the layout of the shared corpus, turned into snapshots the classifiers can read.

`pods/NNN-name.yaml` holds `label` and `pod` (a whole Pod, or with `partial: true` a published
fragment: one container status or a pod status), and optional `events` as the text people paste
(`kubectl describe` tables or `Warning BackOff …` lines). `cluster/` cases hold `objects` (one
snapshot's API objects) and may hold `events` (about the first object), `metrics` (name →
Prometheus response, as in a bundle's metrics/) and `captured_at`. A case's answer is the first
diagnosis of the snapshot: the most severe finding, or `healthy` when there is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from incident_lib.errors import InputError
from incident_lib.k8s.objects import parse_time
from incident_lib.snapshot import Snapshot

_EVENT_LINE = re.compile(r"\b(Normal|Warning)\s+(\w+)\s+(.*)$")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


@dataclass(frozen=True)
class Case:
    """One labelled case: its file, the expected root cause, and the snapshot it describes."""

    path: Path
    label: str
    snapshot: Snapshot


def load_case(path: Path) -> Case:
    """Read one case file (`pods/` or `cluster/` layout); a file that is not a case is an InputError."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: not a readable YAML case ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or "label" not in data or not ("pod" in data or "objects" in data):
        raise InputError(f"{path}: a case needs 'label' and 'pod' or 'objects'")
    objects = [_pod(data, path)] if "pod" in data else [_with_kind(o) for o in data["objects"]]
    first = objects[0]["metadata"]
    events = parse_event_text(
        data.get("events") or "", first.get("namespace", ""), objects[0]["kind"], first["name"]
    )
    recorded = parse_time(data["captured_at"]) if data.get("captured_at") else None
    snapshot = Snapshot(
        captured_at=recorded or _latest_time(objects),
        objects=[*objects, *events],
        metrics=data.get("metrics") or {},
        origin=str(path),
        captured_at_known=recorded is not None,
    )
    return Case(path, data["label"], snapshot)


def load_cases(folder: Path) -> list[Case]:
    """Every case under `folder/pods` and `folder/cluster`, sorted by file name."""
    files = sorted((folder / "pods").glob("*.yaml")) + sorted((folder / "cluster").glob("*.yaml"))
    if not files:
        raise InputError(f"{folder}: no cases (expected pods/*.yaml or cluster/*.yaml)")
    return [load_case(p) for p in files]


def _pod(data: dict, path: Path) -> dict:
    pod = _whole_pod(data["pod"], path.stem) if data.get("partial") else data["pod"]
    pod.setdefault("kind", "Pod")  # some published objects were cut from a List that named the kind
    meta = pod.setdefault("metadata", {})
    meta.setdefault("name", path.stem)
    meta.setdefault("namespace", "default")
    return pod


def _with_kind(obj: dict) -> dict:
    """Objects published without `kind` (a JavaScript client's serialisation) get it back from their shape."""
    if "kind" not in obj:
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if "containers" in spec:
            obj["kind"] = "Pod"
        elif "subsets" in obj:
            obj["kind"] = "Endpoints"
        elif "backoffLimit" in spec:
            obj["kind"] = "Job"
        elif "template" in spec and ("updatedReplicas" in status or "strategy" in spec):
            obj["kind"] = "Deployment"
    return obj


def _whole_pod(fragment: dict, name: str) -> dict:
    """Wrap a published fragment in the Pod it came from, adding nothing the fragment does not say."""
    if "state" in fragment or "lastState" in fragment:
        status = {"containerStatuses": [{"name": fragment.get("name", "container"), **fragment}]}
    else:
        status = fragment
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "status": status}


def parse_event_text(text: str, namespace: str, kind: str, name: str) -> list[dict]:
    """Events pasted as text, as core/v1 Event objects about one object (type, reason and message only)."""
    events = []
    for number, line in enumerate(text.splitlines()):
        match = _EVENT_LINE.search(line)
        if not match:
            continue
        level, reason, rest = match.groups()
        columns = re.split(r"\s{2,}", rest.strip())
        message = columns[-1] if len(columns) >= 3 else rest.strip()  # describe tables: age, from, message
        events.append(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": f"{name}.{number}", "namespace": namespace or "default"},
                "involvedObject": {"kind": kind, "namespace": namespace, "name": name},
                "type": level,
                "reason": reason,
                "message": message,
            }
        )
    return events


def _latest_time(objects: list[dict]) -> datetime:
    """The latest time the objects record: the "now" of a case that does not say when it was seen."""
    times = [parse_time(t) for t in _TIMESTAMP.findall(str(objects))]
    return max(times) if times else datetime(1970, 1, 1, tzinfo=UTC)
