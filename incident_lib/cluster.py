"""The cluster view: a snapshot's objects as typed, read-only views, indexed once per snapshot, so rules,
reports and runbook checks find a subject's relatives fast (the pods a Service selects, the ReplicaSets
and pods a Deployment owns, a namespace's LimitRanges) and no one wraps raw pods again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cached_property

from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.pod import Pod
from incident_lib.k8s.quantity import parse_quantity
from incident_lib.k8s.selectors import matches, required_labels
from incident_lib.metrics.catalogue import POD_SIGNALS
from incident_lib.metrics.pod import NamespaceMetrics
from incident_lib.snapshot import Snapshot

_VIEWS = {"Pod": Pod, "Event": Event}  # kinds with a view of their own; the others are `ObjectView`s


class ClusterView:
    """Objects of a snapshot by kind, namespace, name and owner, as typed views (`Pod` for pods) made
    once. Built by `Snapshot.view`, once per snapshot; each index is built on first use."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._kinds: dict[str, tuple[ObjectView, ...]] = {}
        self._named: dict[str, dict[tuple[str, str], ObjectView]] = {}
        self._selected: dict[tuple[str, str], list[Pod]] = {}
        self._metrics: dict[tuple[str, tuple[str, ...]], NamespaceMetrics] = {}

    def of_kind(self, kind: str) -> tuple[ObjectView, ...]:
        """Every object of one kind in snapshot order, made once; pods as `Pod`s, events as `Event`s."""
        if kind not in self._kinds:
            view = _VIEWS.get(kind, ObjectView)
            self._kinds[kind] = tuple(view(raw) for raw in self.snapshot.of_kind(kind))
        return self._kinds[kind]

    @property
    def pods(self) -> tuple[Pod, ...]:
        """Every pod, in the order the snapshot holds them."""
        return self.of_kind("Pod")

    def pods_in(self, namespace: str) -> list[Pod]:
        """The pods of one namespace."""
        return self.pods_by_namespace.get(namespace, [])

    @cached_property
    def pods_by_namespace(self) -> dict[str, list[Pod]]:
        """Pods by namespace; prefer `pods_in`, which also answers for a namespace with none."""
        index: dict[str, list[Pod]] = defaultdict(list)
        for pod in self.pods:
            index[pod.namespace].append(pod)
        return index

    @cached_property
    def pods_by_node(self) -> dict[str, list[Pod]]:
        """Pods by the node they run on (`""` for pods not scheduled)."""
        index: dict[str, list[Pod]] = defaultdict(list)
        for pods in self.pods_by_namespace.values():
            for pod in pods:
                index[pod.node_name].append(pod)
        return index

    def get(self, kind: str, namespace: str, name: str) -> ObjectView | None:
        """One object by kind, namespace (empty for cluster-scoped kinds) and name; None when not captured."""
        if kind not in self._named:
            self._named[kind] = {(o.namespace, o.name): o for o in self.of_kind(kind)}
        return self._named[kind].get((namespace, name))

    def node(self, name: str) -> ObjectView | None:
        return self.get("Node", "", name)

    def claim(self, namespace: str, name: str) -> ObjectView | None:
        """A PersistentVolumeClaim, as a pod's `volumes[].persistentVolumeClaim.claimName` names it."""
        return self.get("PersistentVolumeClaim", namespace, name)

    def endpoints(self, namespace: str, service: str) -> ObjectView | None:
        """The Endpoints of a Service (they share its name)."""
        return self.get("Endpoints", namespace, service)

    def events_about(self, kind: str, namespace: str, name: str) -> tuple[Event, ...]:
        """Events involving one object, oldest first. Node events have no namespace."""
        return self.snapshot.events.about(kind, namespace, name)

    @cached_property
    def _owned(self) -> dict[tuple[str, str, str], list[ObjectView]]:
        """Objects by their controller: (namespace, owner kind, owner name) -> pods, ReplicaSets, Jobs."""
        index: dict[tuple[str, str, str], list[ObjectView]] = defaultdict(list)
        for kind in ("Pod", "ReplicaSet", "Job"):
            for obj in self.of_kind(kind):
                if (ref := obj.owner) is not None:
                    index[(obj.namespace, ref.get("kind", ""), ref.get("name", ""))].append(obj)
        return index

    def owned(self, namespace: str, kind: str, name: str, of_kind: str) -> list[ObjectView]:
        """The objects of kind `of_kind` that the controller `kind/name` owns."""
        return [o for o in self._owned.get((namespace, kind, name), []) if o.kind == of_kind]

    def owner_chain(self, obj: ObjectView) -> list[ObjectView]:
        """The controllers above `obj`, nearest first (a pod's ReplicaSet, then its Deployment), as far as
        the snapshot holds them."""
        chain: list[ObjectView] = []
        while (ref := obj.owner) is not None:
            owner = self.get(ref.get("kind", ""), obj.namespace, ref.get("name", ""))
            if owner is None or owner in chain:  # not captured, or a cycle in a hand-made bundle
                break
            chain.append(owner)
            obj = owner
        return chain

    def workload_pods(self, workload: ObjectView) -> list[Pod]:
        """The pods a Deployment (through its ReplicaSets), StatefulSet, DaemonSet or Job controls, sorted
        by name."""
        ns = workload.namespace
        if workload.kind == "Deployment":
            sets = self.owned(ns, "Deployment", workload.name, "ReplicaSet")
            pods = [p for rs in sets for p in self.owned(ns, "ReplicaSet", rs.name, "Pod")]
        else:
            pods = self.owned(ns, workload.kind, workload.name, "Pod")
        return sorted(pods, key=lambda p: p.name)

    @cached_property
    def _pods_by_label(self) -> dict[tuple[str, str, str], list[Pod]]:
        """Pods by (namespace, label key, label value), in snapshot order."""
        index: dict[tuple[str, str, str], list[Pod]] = defaultdict(list)
        for pod in self.pods:
            for key, value in pod.labels.items():
                if isinstance(value, str):
                    index[(pod.namespace, key, value)].append(pod)
        return index

    def selected_pods(self, namespace: str, selector: dict | None) -> list[Pod]:
        """The pods of `namespace` that `selector` selects, in snapshot order, computed once per selector:
        several rules of the same Service ask."""
        key = (namespace, json.dumps(selector, sort_keys=True))
        if key not in self._selected:
            candidates = self._label_candidates(namespace, selector)
            self._selected[key] = [p for p in candidates if matches(selector, p.labels)]
        return self._selected[key]

    def _label_candidates(self, namespace: str, selector: dict | None) -> list[Pod]:
        """The pods of `namespace` carrying the rarest label `selector` requires: a superset of its matches,
        so a Service looks at its own pods, not at every pod of its namespace. All the namespace's pods when
        it requires none (only expressions, or an empty `matchLabels`, which selects everything)."""
        if not selector:  # selects nothing (see `matches`)
            return []
        postings = [self._pods_by_label.get((namespace, *label), []) for label in required_labels(selector)]
        return min(postings, key=len, default=self.pods_in(namespace))

    def serving_pods(self, namespace: str, selector: dict | None) -> list[Pod]:
        """Selected pods that can be endpoints: not finished (Succeeded, Failed, evicted), not being deleted.
        The Endpoints controller leaves the others out."""
        return [
            p
            for p in self.selected_pods(namespace, selector)
            if p.phase not in ("Succeeded", "Failed") and not p.deletion_timestamp
        ]

    def metrics(self, namespace: str, signals: tuple[str, ...] = POD_SIGNALS) -> NamespaceMetrics:
        """The stored series of `signals` in one namespace, split by subject once for every reader."""
        key = (namespace, signals)
        if key not in self._metrics:
            self._metrics[key] = NamespaceMetrics(self.snapshot, namespace, signals)
        return self._metrics[key]

    @cached_property
    def completed_jobs(self) -> set[tuple[str, str]]:
        """(namespace, name) of Jobs whose Complete condition is True: their failed attempts are history."""
        done = set()
        for job in self.of_kind("Job"):
            conditions = job.status.get("conditions") or []
            if any(c.get("type") == "Complete" and c.get("status") == "True" for c in conditions):
                done.add((job.namespace, job.name))
        return done

    @cached_property
    def memory_caps(self) -> dict[str, tuple[str, float]]:
        """Per namespace, the LimitRange name and its smallest per-container memory maximum, in bytes."""
        caps: dict[str, tuple[str, float]] = {}
        for limit_range in self.of_kind("LimitRange"):
            namespace = limit_range.namespace
            for item in limit_range.spec.get("limits") or []:
                cap = parse_quantity((item.get("max") or {}).get("memory"))
                if (
                    item.get("type") == "Container"
                    and cap
                    and (namespace not in caps or cap < caps[namespace][1])
                ):
                    caps[namespace] = (limit_range.name, cap)
        return caps
