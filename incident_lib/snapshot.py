"""A snapshot of a cluster: what every collector produces and every classifier reads.

A saved bundle and a live collection both become a `Snapshot`, so the same classifiers run on both and
capturing a live snapshot to disk gives a bundle that diagnoses the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from incident_lib.errors import InputError
from incident_lib.k8s.event import Event, EventIndex
from incident_lib.k8s.objects import ObjectView, parse_time
from incident_lib.k8s.shapes import unreadable_fields

if TYPE_CHECKING:
    from incident_lib.cluster import ClusterView


class LogKey(NamedTuple):
    namespace: str
    pod: str
    container: str
    previous: bool


@dataclass
class Snapshot:
    """API objects (raw JSON), Prometheus responses and container logs, as of `captured_at`.

    `captured_at` is the "now" of every time-based rule: no rule reads the clock. `captured_at_known` is
    False when it was inferred (a corpus case that only records its objects' own times): then no age can
    be shown to be short, only long.
    `metrics` maps a name (`<signal>.<namespace>`) to a Prometheus response body with its `query`,
    `start`, `end` and `step`. `logs` maps each log to a function that reads it (logs stay on disk until
    a rule asks for one).

    The objects are read once, as the snapshot is made: the same object read twice (two `kubectl get`
    outputs in one bundle) is kept once, the newer; a field of the wrong type is dropped, and
    `unreadable` lists it under the subject whose diagnosis it would have informed (see
    `unreadable_fields`).
    """

    captured_at: datetime
    objects: list[dict]
    metrics: dict[str, dict] = field(default_factory=dict)
    logs: dict[LogKey, Callable[[], str]] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    origin: str = ""
    captured_at_known: bool = True
    unreadable: dict[tuple[str, str, str], tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.objects = unique_objects(self.objects)
        unreadable: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for obj in self.objects:
            if dropped := unreadable_fields(obj):
                subject, prefix = _reported_under(ObjectView(obj))
                unreadable[subject].extend(f"{prefix}{line}" for line in dropped)
        self.unreadable = {key: tuple(lines) for key, lines in unreadable.items()}

    @cached_property
    def _by_kind(self) -> dict[str, list[dict]]:
        index: dict[str, list[dict]] = defaultdict(list)
        for obj in self.objects:
            index[obj.get("kind", "")].append(obj)
        return index

    def of_kind(self, kind: str) -> list[dict]:
        """Every object of one kind (`Pod`, `Event`, `Node`…), in the order they were read."""
        return self._by_kind.get(kind, [])

    @cached_property
    def view(self) -> ClusterView:
        """The read-only cluster view of this snapshot, built on first use."""
        from incident_lib.cluster import ClusterView  # the view reads the snapshot: imported late

        return ClusterView(self)

    @cached_property
    def events(self) -> EventIndex:
        return EventIndex(self.view.of_kind("Event"))

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """The incident window of the manifest, if it names one it can read (the window only narrows what
        reports show, so a hand-made manifest's unreadable one is no window rather than an error)."""
        window = self.manifest.get("window")
        try:
            start, end = parse_time(window.get("start")), parse_time(window.get("end"))
        except (AttributeError, ValueError):
            return None
        return (start, end) if start and end else None

    def namespaces(self) -> list[str]:
        """Namespaces that hold objects (events aside: they also land in `default` for nodes), sorted."""
        return sorted(
            {
                namespace
                for kind, objects in self._by_kind.items()
                if kind != "Event"
                for o in objects
                if (namespace := (o.get("metadata") or {}).get("namespace"))
            }
        )

    def log(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        """A container's log (its tail), or None when the snapshot has none."""
        reader = self.logs.get(LogKey(namespace, pod, container, previous))
        return reader() if reader else None

    def metric(self, signal: str, namespace: str) -> dict | None:
        """The stored Prometheus response of one signal for one namespace, or None when it is missing."""
        return self.metrics.get(f"{signal}.{namespace}")


def unique_objects(objects: list[dict]) -> list[dict]:
    """`objects` with each object once: the same kind and uid (or, without a uid, the same kind, namespace
    and name; hand-written events often have neither, and are all kept) read twice keeps the newer
    `resourceVersion`, at the place it was first read."""
    kept: dict[tuple[str | int, ...], dict] = {}
    for index, obj in enumerate(objects):
        view = ObjectView(obj)
        key = (view.kind, view.uid) if view.uid else (view.kind, view.namespace, view.name or index)
        if key not in kept or _version(obj) >= _version(kept[key]):
            kept[key] = obj
    return list(kept.values())


def _version(obj: dict) -> int:
    """The resourceVersion as a number (the API's are), or -1 when it is absent or not one."""
    version = ObjectView(obj).metadata.get("resourceVersion")
    return int(version) if isinstance(version, str) and version.isdigit() else -1


def _reported_under(obj: ObjectView) -> tuple[tuple[str, str, str], str]:
    """The subject whose diagnosis reports what `obj` could not be read for, and how lines name `obj`:
    an Event's under the object it is about, an Endpoints' under its Service."""
    if obj.kind == "Event":
        return Event(obj.raw).about, f"event {obj.name}: "
    if obj.kind == "Endpoints":
        return ("Service", obj.namespace, obj.name), f"endpoints {obj.name}: "
    return (obj.kind, obj.namespace, obj.name), ""


def parse_window(text: str) -> tuple[datetime, datetime]:
    """`START/END` in RFC 3339 (as notebooks take it) as two UTC datetimes, START before END."""
    try:
        start, end = (parse_time(part.strip()) for part in text.split("/"))
    except ValueError:
        raise InputError(
            f"window {text!r}: expected START/END in RFC 3339, e.g. 2025-12-17T09:50:00Z/2025-12-17T10:05:00Z"
        ) from None
    if start is None or end is None or start >= end:
        raise InputError(f"window {text!r}: START must be before END")
    return start, end
