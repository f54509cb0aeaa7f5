"""An index of a snapshot's objects, built once, so rules about one subject find its relatives fast:
the pods a Service selects, the ReplicaSets and pods a Deployment owns, a namespace's LimitRanges.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cached_property

from incident_lib.k8s.pod import Pod
from incident_lib.k8s.quantity import parse_quantity
from incident_lib.k8s.selectors import matches
from incident_lib.snapshot import Snapshot


class ClusterIndex:
    """Objects of a snapshot by kind, namespace and owner; pod diagnoses once they are known."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.pod_diagnoses: dict[tuple[str, str], object] = {}  # (namespace, name) -> Diagnosis
        self._selected: dict[tuple[str, str], list[Pod]] = {}

    @cached_property
    def pods_by_namespace(self) -> dict[str, list[Pod]]:
        index: dict[str, list[Pod]] = defaultdict(list)
        for raw in self.snapshot.of_kind("Pod"):
            pod = Pod(raw)
            index[pod.namespace].append(pod)
        return index

    @cached_property
    def pods_by_node(self) -> dict[str, list[Pod]]:
        index: dict[str, list[Pod]] = defaultdict(list)
        for pods in self.pods_by_namespace.values():
            for pod in pods:
                index[pod.node_name].append(pod)
        return index

    @cached_property
    def _owned(self) -> dict[tuple[str, str, str], list[dict]]:
        """Objects by their controller: (namespace, owner kind, owner name) -> pods and ReplicaSets."""
        index: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        for kind in ("Pod", "ReplicaSet", "Job"):
            for obj in self.snapshot.of_kind(kind):
                meta = obj.get("metadata") or {}
                for ref in meta.get("ownerReferences") or []:
                    if ref.get("controller"):
                        index[(meta.get("namespace", ""), ref.get("kind", ""), ref.get("name", ""))].append(
                            obj
                        )
        return index

    def owned(self, namespace: str, kind: str, name: str, of_kind: str) -> list[dict]:
        """The objects of kind `of_kind` that the controller `kind/name` owns."""
        return [o for o in self._owned.get((namespace, kind, name), []) if o.get("kind") == of_kind]

    def selected_pods(self, namespace: str, selector: dict | None) -> list[Pod]:
        """The pods of `namespace` that `selector` selects, computed once per selector: several rules
        of the same Service ask."""
        key = (namespace, json.dumps(selector, sort_keys=True))
        if key not in self._selected:
            self._selected[key] = [
                p for p in self.pods_by_namespace.get(namespace, []) if matches(selector, p.labels)
            ]
        return self._selected[key]

    def serving_pods(self, namespace: str, selector: dict | None) -> list[Pod]:
        """Selected pods that can be endpoints: not finished (Succeeded, Failed, evicted), not being deleted.
        The Endpoints controller leaves the others out."""
        return [
            p
            for p in self.selected_pods(namespace, selector)
            if p.phase not in ("Succeeded", "Failed") and not p.deletion_timestamp
        ]

    @cached_property
    def _named(self) -> dict[tuple[str, str, str], dict]:
        return {
            (
                o.get("kind", ""),
                (o.get("metadata") or {}).get("namespace", ""),
                (o.get("metadata") or {}).get("name", ""),
            ): o
            for o in self.snapshot.objects
        }

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self._named.get((kind, namespace, name))

    @cached_property
    def completed_jobs(self) -> set[tuple[str, str]]:
        """(namespace, name) of Jobs whose Complete condition is True: their failed attempts are history."""
        done = set()
        for job in self.snapshot.of_kind("Job"):
            conditions = (job.get("status") or {}).get("conditions") or []
            if any(c.get("type") == "Complete" and c.get("status") == "True" for c in conditions):
                meta = job["metadata"]
                done.add((meta.get("namespace", ""), meta.get("name", "")))
        return done

    @cached_property
    def memory_caps(self) -> dict[str, tuple[str, float]]:
        """Per namespace, the LimitRange name and its smallest per-container memory maximum, in bytes."""
        caps: dict[str, tuple[str, float]] = {}
        for limit_range in self.snapshot.of_kind("LimitRange"):
            meta = limit_range["metadata"]
            for item in (limit_range.get("spec") or {}).get("limits") or []:
                cap = parse_quantity((item.get("max") or {}).get("memory"))
                namespace = meta.get("namespace", "")
                if (
                    item.get("type") == "Container"
                    and cap
                    and (namespace not in caps or cap < caps[namespace][1])
                ):
                    caps[namespace] = (meta.get("name", ""), cap)
        return caps
