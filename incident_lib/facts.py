"""Facts: what the rules read about one subject, gathered from a snapshot through one index.

Pods are diagnosed first; Services, workloads and nodes then read those pod diagnoses (a Service
whose endpoints are not ready names why its pods are not).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from incident_lib.classify.thresholds import Thresholds
from incident_lib.cluster import ClusterIndex
from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.catalogue import POD_SIGNALS, SIGNALS
from incident_lib.metrics.pod import NamespaceMetrics, SubjectMetrics


class _ByReason:
    events: tuple[Event, ...]

    def events_with(self, reason: str) -> tuple[Event, ...]:
        """Events about the subject with this reason, oldest first."""
        return self._events_by_reason.get(reason, ())

    @cached_property
    def _events_by_reason(self) -> dict[str, tuple[Event, ...]]:
        grouped: dict[str, list[Event]] = {}
        for event in self.events:
            grouped.setdefault(event.reason, []).append(event)
        return {reason: tuple(events) for reason, events in grouped.items()}


@dataclass(frozen=True)
class PodFacts(_ByReason):
    """One pod, the events about it and its node, its metrics and crashed containers' previous logs.

    `now` is the snapshot's capture time: rules compare against it, never against the clock;
    `now_known` is False when that time was inferred (see Snapshot).
    `memory_cap` is the (LimitRange, max bytes) of its namespace; `owner_completed` is True for a pod
    of a Job that has since completed (a failed attempt that a retry made good).
    """

    pod: Pod
    events: tuple[Event, ...]
    node_events: tuple[Event, ...]
    metrics: SubjectMetrics
    previous_logs: dict[str, str]
    now: datetime
    now_known: bool = True
    memory_cap: tuple[str, float] | None = None
    owner_completed: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class ObjectFacts(_ByReason):
    """A Service, workload or Node, the events about it, the index to find its relatives and the pod
    diagnoses already made, and (for Services) the traffic metrics of the service."""

    obj: ObjectView
    index: ClusterIndex
    events: tuple[Event, ...]
    traffic: SubjectMetrics
    now: datetime
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def raw(self) -> dict:
        return self.obj.raw

    @property
    def spec(self) -> dict:
        return self.obj.spec

    @property
    def status(self) -> dict:
        return self.obj.status

    def condition(self, kind: str) -> dict:
        return next((c for c in self.status.get("conditions") or [] if c.get("type") == kind), {})

    def pod_diagnosis(self, pod: Pod):
        return self.index.pod_diagnoses.get((pod.namespace, pod.name))

    def all_starting(self, pods: list[Pod]) -> bool:
        """True when `pods` (one at least) are all `pod_starting`: a rollout inside its start-up allowance."""
        diagnoses = [self.pod_diagnosis(p) for p in pods]
        return bool(diagnoses) and all(d is not None and d.root_cause == "pod_starting" for d in diagnoses)


TRAFFIC_SIGNALS = tuple(name for name, s in SIGNALS.items() if s.profile != "resources")
_NO_METRICS = SubjectMetrics(missing=POD_SIGNALS)
_NO_TRAFFIC = SubjectMetrics(missing=TRAFFIC_SIGNALS)
_NOT_SERVED = SubjectMetrics()  # workloads and nodes receive no traffic of their own


def pod_facts(index: ClusterIndex, pods: list[dict], thresholds: Thresholds) -> Iterator[PodFacts]:
    """Yield the facts of each pod in `pods` (raw objects of the indexed snapshot)."""
    snapshot = index.snapshot
    metrics: dict[str, NamespaceMetrics] = {}
    with_metrics = bool(snapshot.metrics)
    for raw in pods:
        pod = Pod(raw)
        ns = pod.namespace
        if with_metrics and ns not in metrics:
            metrics[ns] = NamespaceMetrics(snapshot, ns)
        owner = pod.owner or {}
        yield PodFacts(
            pod=pod,
            events=snapshot.events.about("Pod", ns, pod.name),
            node_events=snapshot.events.about("Node", "", pod.node_name) if pod.node_name else (),
            metrics=metrics[ns].for_subject(pod.name) if with_metrics else _NO_METRICS,
            previous_logs=_previous_logs(snapshot, pod),
            now=snapshot.captured_at,
            now_known=snapshot.captured_at_known,
            memory_cap=index.memory_caps.get(ns),
            owner_completed=owner.get("kind") == "Job" and (ns, owner.get("name")) in index.completed_jobs,
            thresholds=thresholds,
        )


def object_facts(index: ClusterIndex, objects: list[dict], thresholds: Thresholds) -> Iterator[ObjectFacts]:
    """Yield the facts of each Service, workload or Node in `objects`."""
    snapshot = index.snapshot
    traffic: dict[str, NamespaceMetrics] = {}
    for raw in objects:
        view = ObjectView(raw)
        metrics = _NO_TRAFFIC if view.kind == "Service" else _NOT_SERVED
        if view.kind == "Service" and snapshot.metrics:
            if view.namespace not in traffic:
                traffic[view.namespace] = NamespaceMetrics(snapshot, view.namespace, TRAFFIC_SIGNALS)
            metrics = traffic[view.namespace].for_subject(view.name)
        yield ObjectFacts(
            obj=view,
            index=index,
            events=snapshot.events.about(view.kind, view.namespace, view.name),
            traffic=metrics,
            now=snapshot.captured_at,
            thresholds=thresholds,
        )


def _previous_logs(snapshot, pod: Pod) -> dict[str, str]:
    if not snapshot.logs:
        return {}
    logs = {}
    for container in pod.containers:
        if container.last_terminated or container.terminated:
            text = snapshot.log(pod.namespace, pod.name, container.name, previous=True)
            if text is not None:
                logs[container.name] = text
    return logs
