"""Facts: what the pod rules read about one pod, gathered from a snapshot in one pass."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from incident_lib.k8s.event import Event
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.catalogue import POD_SIGNALS
from incident_lib.metrics.pod import NamespaceMetrics, PodMetrics
from incident_lib.snapshot import Snapshot


@dataclass(frozen=True)
class PodFacts:
    """One pod, the events about it and its node, its metrics and crashed containers' previous logs.

    `now` is the snapshot's capture time: rules compare against it, never against the clock.
    """

    pod: Pod
    events: tuple[Event, ...]
    node_events: tuple[Event, ...]
    metrics: PodMetrics
    previous_logs: dict[str, str]
    now: datetime

    def events_with(self, reason: str) -> tuple[Event, ...]:
        """Events about the pod with this reason, oldest first."""
        return self._events_by_reason.get(reason, ())

    @cached_property
    def _events_by_reason(self) -> dict[str, tuple[Event, ...]]:
        grouped: dict[str, list[Event]] = {}
        for event in self.events:
            grouped.setdefault(event.reason, []).append(event)
        return {reason: tuple(events) for reason, events in grouped.items()}


def pod_facts(snapshot: Snapshot, pods: list[dict]) -> Iterator[PodFacts]:
    """Yield the facts of each pod in `pods` (raw objects from `snapshot`)."""
    metrics: dict[str, NamespaceMetrics] = {}
    with_metrics = bool(snapshot.metrics)
    for raw in pods:
        pod = Pod(raw)
        ns = pod.namespace
        if with_metrics and ns not in metrics:
            metrics[ns] = NamespaceMetrics(snapshot, ns)
        yield PodFacts(
            pod=pod,
            events=snapshot.events.about("Pod", ns, pod.name),
            node_events=snapshot.events.about("Node", "", pod.node_name) if pod.node_name else (),
            metrics=metrics[ns].for_pod(pod.name) if with_metrics else _NO_METRICS,
            previous_logs=_previous_logs(snapshot, pod),
            now=snapshot.captured_at,
        )


_NO_METRICS = PodMetrics(missing=POD_SIGNALS)


def _previous_logs(snapshot: Snapshot, pod: Pod) -> dict[str, str]:
    if not snapshot.logs:
        return {}
    logs = {}
    for container in pod.containers:
        if container.last_terminated or container.terminated:
            text = snapshot.log(pod.namespace, pod.name, container.name, previous=True)
            if text is not None:
                logs[container.name] = text
    return logs
