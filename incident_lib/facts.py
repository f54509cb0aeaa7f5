"""Facts: what the rules read about one subject, gathered from a snapshot through its cluster view.

Pods are diagnosed first; Services, workloads and nodes then read those pod diagnoses (a Service
whose endpoints are not ready names why its pods are not).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from incident_lib.classify.thresholds import Thresholds
from incident_lib.cluster import ClusterView
from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.catalogue import POD_SIGNALS, SIGNALS
from incident_lib.metrics.pod import SubjectMetrics

if TYPE_CHECKING:
    from incident_lib.classify.diagnosis import Diagnosis


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
    of a Job that has since completed (a failed attempt that a retry made good). `view` finds what else
    the snapshot holds about it (its claims, its owners, objects of a kind a rule `needs`).
    """

    pod: Pod
    view: ClusterView
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
    """A Service, workload or Node, the events about it, the view to find its relatives, the pod
    diagnoses already made (by namespace and name), and (for Services) the traffic metrics of the service."""

    obj: ObjectView
    view: ClusterView
    events: tuple[Event, ...]
    traffic: SubjectMetrics
    now: datetime
    pod_diagnoses: Mapping[tuple[str, str], Diagnosis] = field(default_factory=dict)
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

    def pod_diagnosis(self, pod: Pod) -> Diagnosis | None:
        return self.pod_diagnoses.get((pod.namespace, pod.name))

    def all_starting(self, pods: list[Pod]) -> bool:
        """True when `pods` (one at least) are all `pod_starting`: a rollout inside its start-up allowance."""
        diagnoses = [self.pod_diagnosis(p) for p in pods]
        return bool(diagnoses) and all(d is not None and d.root_cause == "pod_starting" for d in diagnoses)


TRAFFIC_SIGNALS = tuple(name for name, s in SIGNALS.items() if s.profile != "resources")
_NO_METRICS = SubjectMetrics(missing=POD_SIGNALS)
_NO_TRAFFIC = SubjectMetrics(missing=TRAFFIC_SIGNALS)
_NOT_SERVED = SubjectMetrics()  # workloads and nodes receive no traffic of their own


def pod_facts(view: ClusterView, pods: Iterable[Pod], thresholds: Thresholds) -> Iterator[PodFacts]:
    """Yield the facts of each pod in `pods` (pods of the view)."""
    snapshot = view.snapshot
    with_metrics = bool(snapshot.metrics)
    for pod in pods:
        ns = pod.namespace
        owner = pod.owner or {}
        yield PodFacts(
            pod=pod,
            view=view,
            events=view.events_about("Pod", ns, pod.name),
            node_events=view.events_about("Node", "", pod.node_name) if pod.node_name else (),
            metrics=view.metrics(ns).for_subject(pod.name) if with_metrics else _NO_METRICS,
            previous_logs=_previous_logs(snapshot, pod),
            now=snapshot.captured_at,
            now_known=snapshot.captured_at_known,
            memory_cap=view.memory_caps.get(ns),
            owner_completed=owner.get("kind") == "Job" and (ns, owner.get("name")) in view.completed_jobs,
            thresholds=thresholds,
        )


def object_facts(
    view: ClusterView,
    objects: Iterable[ObjectView],
    pod_diagnoses: Mapping[tuple[str, str], Diagnosis],
    thresholds: Thresholds,
) -> Iterator[ObjectFacts]:
    """Yield the facts of each Service, workload or Node in `objects`, with the pod diagnoses they read."""
    snapshot = view.snapshot
    for obj in objects:
        metrics = _NO_TRAFFIC if obj.kind == "Service" else _NOT_SERVED
        if obj.kind == "Service" and snapshot.metrics:
            metrics = view.metrics(obj.namespace, TRAFFIC_SIGNALS).for_subject(obj.name)
        yield ObjectFacts(
            obj=obj,
            view=view,
            events=view.events_about(obj.kind, obj.namespace, obj.name),
            traffic=metrics,
            now=snapshot.captured_at,
            pod_diagnoses=pod_diagnoses,
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
