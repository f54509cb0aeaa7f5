"""Views over raw core/v1 and events.k8s.io/v1 Events, and an index of them by the object they are about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from incident_lib.k8s.objects import ObjectView

# Events about these kinds are stored in a namespace (often `default`) but the object has none.
_CLUSTER_SCOPED = frozenset({"Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole"})


class Event(ObjectView):
    """A raw Event; reads both the core/v1 and the events.k8s.io/v1 field names."""

    __slots__ = ()

    @property
    def involved(self) -> dict:
        return self.raw.get("involvedObject") or self.raw.get("regarding") or {}

    @property
    def reason(self) -> str:
        return self.raw.get("reason", "")

    @property
    def message(self) -> str:
        return self.raw.get("message") or self.raw.get("note") or ""

    @property
    def type(self) -> str:
        return self.raw.get("type", "")

    @property
    def count(self) -> int:
        series = self.raw.get("series") or {}
        return int(self.raw.get("count") or series.get("count") or 1)

    @property
    def last_seen(self) -> str | None:
        """When the event was last observed (RFC 3339), whichever field the producer filled."""
        series = self.raw.get("series") or {}
        return (
            self.raw.get("lastTimestamp")
            or series.get("lastObservedTime")
            or self.raw.get("eventTime")
            or self.raw.get("firstTimestamp")
            or self.metadata.get("creationTimestamp")
        )

    @property
    def about(self) -> tuple[str, str, str]:
        """The kind, namespace and name of the object it is about (no namespace for cluster-scoped ones)."""
        ref = self.involved
        kind = ref.get("kind", "")
        namespace = ref.get("namespace") or ("" if kind in _CLUSTER_SCOPED else self.namespace)
        return kind, namespace, ref.get("name", "")

    @property
    def field_path(self) -> str:
        return self.involved.get("fieldPath", "")


class EventIndex:
    """Events grouped by the object they involve, built in one pass: lookups are per object, not per event."""

    def __init__(self, events: Iterable[Event]) -> None:
        by_object: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
        for event in events:
            by_object[event.about].append(event)
        self._sorted = {
            key: tuple(sorted(items, key=lambda e: e.last_seen or "")) for key, items in by_object.items()
        }

    def about(self, kind: str, namespace: str, name: str) -> tuple[Event, ...]:
        """Events involving one object, oldest first. Node events have no namespace."""
        return self._sorted.get((kind, namespace, name), ())
