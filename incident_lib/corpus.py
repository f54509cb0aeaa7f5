"""Labelled cases in the layout of the shared corpus, turned into snapshots the classifiers can read.

`pods/NNN-name.yaml` holds `label` and `pod` (a whole Pod, or with `partial: true` a published
fragment: one container status or a pod status), and optional `events` as the text people paste
(`kubectl describe` tables or `Warning BackOff …` lines). `cluster/` cases hold `objects`.
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
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@dataclass(frozen=True)
class Case:
    """One labelled case: its file, the expected root cause, and the snapshot it describes."""

    path: Path
    label: str
    snapshot: Snapshot
    subject: tuple[str, str, str]  # kind, namespace, name


def load_case(path: Path) -> Case:
    """Read one case file; a file that is not a case is an InputError naming it."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: not a readable YAML case ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or "label" not in data or "pod" not in data:
        raise InputError(f"{path}: a case needs 'label' and 'pod'")
    pod = _whole_pod(data["pod"], path.stem) if data.get("partial") else data["pod"]
    pod.setdefault("kind", "Pod")  # some published objects were cut from a List that named the kind
    meta = pod.setdefault("metadata", {})
    meta.setdefault("name", path.stem)
    meta.setdefault("namespace", "default")
    events = parse_event_text(data.get("events") or "", meta["namespace"], meta["name"])
    snapshot = Snapshot(captured_at=_latest_time(pod), objects=[pod, *events], origin=str(path))
    return Case(path, data["label"], snapshot, ("Pod", meta["namespace"], meta["name"]))


def load_cases(folder: Path) -> list[Case]:
    """Every case under `folder/pods`, sorted by file name."""
    return [load_case(p) for p in sorted((folder / "pods").glob("*.yaml"))]


def _whole_pod(fragment: dict, name: str) -> dict:
    """Wrap a published fragment in the Pod it came from, adding nothing the fragment does not say."""
    if "state" in fragment or "lastState" in fragment:
        status = {"containerStatuses": [{"name": fragment.get("name", "container"), **fragment}]}
    else:
        status = fragment
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "status": status}


def parse_event_text(text: str, namespace: str, pod: str) -> list[dict]:
    """Events pasted as text, as core/v1 Event objects about the pod (type, reason and message only)."""
    events = []
    for number, line in enumerate(text.splitlines()):
        match = _EVENT_LINE.search(line)
        if not match:
            continue
        kind, reason, rest = match.groups()
        columns = re.split(r"\s{2,}", rest.strip())
        message = columns[-1] if len(columns) >= 3 else rest.strip()  # describe tables: age, from, message
        events.append(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": f"{pod}.{number}", "namespace": namespace},
                "involvedObject": {"kind": "Pod", "namespace": namespace, "name": pod},
                "type": kind,
                "reason": reason,
                "message": message,
            }
        )
    return events


def _latest_time(obj: dict) -> datetime:
    """The latest time the object records: the "now" of a case, since none was captured."""
    times = [parse_time(t) for t in _TIMESTAMP.findall(str(obj))]
    return max(times) if times else datetime(1970, 1, 1, tzinfo=UTC)
