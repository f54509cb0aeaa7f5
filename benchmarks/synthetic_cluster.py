"""The rest of the synthetic cluster around the pods of `synthetic_bundle`: Services and their Endpoints,
Deployments and their ReplicaSets, Nodes, as `kubectl get … -A -o json` prints them; and the bundle.

Every object is derived from the generated pods, so the bundle is consistent the way a real cluster is:
Endpoints list the IPs of the ready (and not ready) pods their Service selects, a Deployment's status
counts the ready pods of its ReplicaSets, a Node lists the images of the pods it runs. A few objects are
broken on purpose (typo selectors, named target ports no container declares, stuck rollouts, nodes under
pressure or NotReady); `generate_bundle` returns the state each object was generated in, and EXPECTED_CAUSE
the root cause a diagnosis should give it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from math import ceil
from pathlib import Path

from synthetic_bundle import (
    CAPTURED_AT,
    BundleGenerator,
    GeneratedPod,
    Workload,
    _condition,
    _parse,
    _ts,
)
from synthetic_bundle import EXPECTED_CAUSE as POD_CAUSES

from tools import k8s_objects as k8s  # on sys.path: synthetic_bundle puts the repository root there

# Root cause a diagnosis should give each generated state, by subject kind (a state not listed is its
# own root cause).
EXPECTED_CAUSE: dict[str, dict[str, str]] = {
    "Pod": POD_CAUSES,
    "Service": {
        "ready": "healthy",
        "not_ready": "service_endpoints_not_ready",
        "typo_selector": "service_no_endpoints",
        "bad_target_port": "service_port_mismatch",
    },
    "Deployment": {"available": "healthy", "unavailable": "replicas_unavailable"},
    "Node": {
        "ready": "healthy",
        "memory_pressure": "node_pressure",
        "disk_pressure": "node_pressure",
        "not_ready": "node_not_ready",
    },
}
# Service name suffixes of the extra Services a workload may have, and the container port each targets.
_EXTRA_SERVICES = (("metrics", "metrics"), ("internal", "http"), ("admin", "http"), ("debug", "http"))
# Named target ports of the broken Services: plausible names that no generated container declares.
_UNDECLARED_PORTS = ("grpc", "http-api", "web", "https")
_POOLS = {  # node pool: machine type, CPUs, memory (Ki) of the machine, allocatable memory (Ki)
    "general-a": ("e2-standard-8", 8, 32_880_872, 29_094_632),
    "general-b": ("e2-standard-8", 8, 32_880_872, 29_094_632),
    "memory-opt": ("n2-highmem-8", 8, 65_842_664, 60_652_072),
    "compute-opt": ("c2-standard-16", 16, 65_842_664, 60_652_072),
    "spot": ("e2-standard-8", 8, 32_880_872, 29_094_632),
}
_ZONES = ("europe-west1-b", "europe-west1-c", "europe-west1-d")
_SYSTEM_IMAGES = (  # images every node pulled for its DaemonSets and system pods: (name, size in bytes)
    ("gke.gcr.io/gke-metrics-agent:1.12.3-gke.0", 81_935_432),
    ("gke.gcr.io/calico/node:v3.27.3-gke.1", 145_836_211),
    ("gke.gcr.io/calico/cni:v3.27.3-gke.1", 97_231_044),
    ("gke.gcr.io/fluent-bit:v1.8.12-gke.35", 84_172_012),
    ("gke.gcr.io/kube-proxy-amd64:v1.30.5-gke.1014001", 31_112_981),
    ("gke.gcr.io/gke-metadata-server:20240723_2300_RC0", 59_431_810),
    ("gke.gcr.io/csi-node-driver-registrar:v2.9.4-gke.10", 11_870_133),
    ("gke.gcr.io/gcp-compute-persistent-disk-csi-driver:v1.13.2-gke.3", 27_481_016),
    ("gke.gcr.io/prometheus-to-sd:v0.11.12-gke.11", 33_904_251),
    ("quay.io/prometheus/node-exporter:v1.8.2", 11_672_488),
    ("docker.io/istio/proxyv2:1.22.3", 96_371_213),
    ("europe-docker.pkg.dev/acme-prod/base/wait-for:1.4.0", 4_120_332),
    ("registry.k8s.io/pause:3.9", 321_520),
)
_MAX_IMAGES = 50  # the kubelet's nodeStatusMaxImages


def expected_cause(kind: str, state: str) -> str:
    """The root cause a diagnosis should give a `kind` generated in `state`."""
    return EXPECTED_CAUSE.get(kind, {}).get(state, state)


class ClusterObjects:
    """Builds Services, Endpoints, Deployments, ReplicaSets and Nodes from a generator's pods and
    workloads, with the generator's random source (so the whole bundle comes from one seed)."""

    def __init__(self, generator: BundleGenerator, pods: list[GeneratedPod]) -> None:
        self.g = generator
        self.rng = generator.rng
        self.pods = pods
        self.states: dict[tuple[str, str, str], str] = {}  # (kind, namespace, name) -> generated as

    # ---- shared pieces

    def _meta(self, namespace: str | None, name: str, created: datetime, **extra) -> dict:
        """Object metadata as the API returns it, keys sorted as kubectl prints them."""
        return k8s.object_meta(
            name, namespace, created, resource_version=self.g._rv(), uid=self.g._uid(), **extra
        )

    @staticmethod
    def _helm_labels(w: Workload) -> dict[str, str]:
        part_of = w.namespace.split("-")[0]
        return {
            "app.kubernetes.io/instance": w.name,
            "app.kubernetes.io/managed-by": "Helm",
            "app.kubernetes.io/name": w.name.rsplit("-", 1)[0],
            "app.kubernetes.io/part-of": part_of,
            "helm.sh/chart": f"{part_of}-service-{w.image.rsplit(':', 1)[1]}",
        }

    @staticmethod
    def _helm_annotations(w: Workload) -> dict[str, str]:
        return {"meta.helm.sh/release-name": w.name, "meta.helm.sh/release-namespace": w.namespace}

    @staticmethod
    def _selector(w: Workload) -> dict[str, str]:
        return {"app.kubernetes.io/instance": w.name, "app.kubernetes.io/name": w.name.rsplit("-", 1)[0]}

    @staticmethod
    def _members(w: Workload) -> list[GeneratedPod]:
        """Every pod of the workload, the previous revision's included."""
        return w.members + (w.previous.members if w.previous else [])

    @staticmethod
    def _active(pods: list[GeneratedPod]) -> list[GeneratedPod]:
        """The pods a controller counts: not evicted (or otherwise finished), not being deleted."""
        return [
            p
            for p in pods
            if p.raw["status"].get("phase") not in ("Failed", "Succeeded")
            and "deletionTimestamp" not in p.raw["metadata"]
        ]

    @staticmethod
    def _ready(pods: list[GeneratedPod]) -> list[GeneratedPod]:
        return [
            p
            for p in pods
            if any(c["type"] == "Ready" and c["status"] == "True" for c in p.raw["status"]["conditions"])
        ]

    def _since(self, pods: list[GeneratedPod]) -> datetime:
        """A creation time before the oldest of `pods`: when their controller was made."""
        oldest = min((_parse(p.raw["metadata"]["creationTimestamp"]) for p in pods), default=CAPTURED_AT)
        return oldest - timedelta(days=self.rng.randint(1, 200), seconds=self.rng.randint(0, 86_399))

    # ---- Services and Endpoints

    def services(self, count: int) -> tuple[list[dict], list[dict]]:
        """`count` Services and their Endpoints: one per workload, then extra ones (metrics, internal…)
        until there are `count`; about 1.5% with a typo in the selector and 1% with a named targetPort
        that no container declares."""
        workloads = self.rng.sample(self.g.workloads, len(self.g.workloads))
        plan = [(w, "", "http") for w in workloads]
        for suffix, target in _EXTRA_SERVICES:
            plan += [(w, suffix, target) for w in self.rng.sample(workloads, len(workloads))]
        plan = plan[:count]
        if len(plan) < count:
            raise SystemExit(f"{len(self.g.workloads)} workloads cannot back {count} Services: ask for fewer")
        chosen = self.rng.sample(range(len(plan)), max(1, round(count * 0.015)) + max(1, round(count * 0.01)))
        typos = set(chosen[: max(1, round(count * 0.015))])
        undeclared = set(chosen[len(typos) :])
        services, endpoints = [], []
        for i, (w, suffix, target) in enumerate(plan):
            pods = self._members(w)
            if i in undeclared and (target != "http" or self._state_of(pods) != "ready"):
                undeclared.discard(i)  # broken ports only where nothing else is wrong, so the cause is clear
            state = "typo_selector" if i in typos else "bad_target_port" if i in undeclared else None
            service = self._service(w, suffix, target, state)
            services.append(service)
            matched = [] if state else pods
            endpoints.append(self._endpoints(service, w, matched, target))
            meta = service["metadata"]
            self.states[("Service", meta["namespace"], meta["name"])] = state or self._state_of(pods)
        return services, endpoints

    def _state_of(self, pods: list[GeneratedPod]) -> str:
        """`ready` when every pod a Service selects that still counts is ready, else `not_ready`."""
        active = self._active(pods)
        return "ready" if active and len(self._ready(active)) == len(active) else "not_ready"

    def _service(self, w: Workload, suffix: str, target: str, broken: str | None) -> dict:
        """A ClusterIP Service of workload `w` (headless for a StatefulSet's main Service)."""
        name = f"{w.name}-{suffix}" if suffix else w.name
        selector = self._selector(w)
        if broken == "typo_selector":
            key = self.rng.choice(sorted(selector))
            if self.rng.random() < 0.5:
                selector[key] = selector[key][:-1]  # a character lost: `payments-api-x7` for `-x7k`
            else:
                selector[key.replace("name", "nmae").replace("instance", "instnace")] = selector.pop(key)
        if broken == "bad_target_port":
            target = self.rng.choice(_UNDECLARED_PORTS)
        port = 9090 if target == "metrics" else 80 if not suffix else 8080
        headless = w.kind == "StatefulSet" and not suffix
        cluster_ip = "None" if headless else f"10.96.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
        created = self._since(self._members(w))
        annotations = self._helm_annotations(w)
        if not headless and w.namespace not in ("kube-system",):
            annotations["cloud.google.com/neg"] = '{"ingress":true}'
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self._meta(
                w.namespace, name, created, annotations=annotations, labels=self._helm_labels(w)
            ),
            "spec": {
                "clusterIP": cluster_ip,
                "clusterIPs": [cluster_ip],
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [
                    {
                        "name": "http-metrics" if target == "metrics" else "http",
                        "port": port,
                        "protocol": "TCP",
                        "targetPort": target,
                    }
                ],
                "selector": dict(sorted(selector.items())),
                "sessionAffinity": "None",
                "type": "ClusterIP",
            },
            "status": {"loadBalancer": {}},
        }

    def _endpoints(self, service: dict, w: Workload, pods: list[GeneratedPod], target: str) -> dict:
        """The Endpoints the controller writes: the ready pods' IPs in `addresses`, the others in
        `notReadyAddresses`, finished, deleted and unscheduled pods left out; no subsets when nothing
        matches or the named target port resolves in no pod."""
        ready = {id(p) for p in self._ready(pods)}
        addresses: list[dict] = []
        not_ready: list[dict] = []
        for pod in sorted(self._active(pods), key=lambda p: p.raw["status"].get("podIP", "")):
            status, meta = pod.raw["status"], pod.raw["metadata"]
            if not status.get("podIP"):
                continue
            (addresses if id(pod) in ready else not_ready).append(
                {
                    "ip": status["podIP"],
                    "nodeName": pod.raw["spec"]["nodeName"],
                    "targetRef": {
                        "kind": "Pod",
                        "name": meta["name"],
                        "namespace": meta["namespace"],
                        "uid": meta["uid"],
                    },
                }
            )
        meta = service["metadata"]
        annotations = {"endpoints.kubernetes.io/last-change-trigger-time": _ts(self._changed(pods, meta))}
        endpoints = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": self._meta(
                meta["namespace"],
                meta["name"],
                _parse(meta["creationTimestamp"]),
                annotations=annotations,
                labels=meta["labels"],
            ),
        }
        if addresses or not_ready:
            port = service["spec"]["ports"][0]
            number = 9090 if target == "metrics" else w.port
            subset: dict = {}
            if addresses:
                subset["addresses"] = addresses
            if not_ready:
                subset["notReadyAddresses"] = not_ready
            subset["ports"] = [{"name": port["name"], "port": number, "protocol": "TCP"}]
            endpoints["subsets"] = [subset]
        return endpoints

    @staticmethod
    def _changed(pods: list[GeneratedPod], meta: dict) -> datetime:
        """When the Endpoints last changed: the pods' latest Ready transition, or the Service's birth."""
        times = [
            _parse(c["lastTransitionTime"])
            for p in pods
            for c in p.raw["status"].get("conditions", [])
            if c["type"] == "Ready"
        ]
        return max(times, default=_parse(meta["creationTimestamp"]))

    # ---- Deployments and ReplicaSets

    def deployments(self) -> tuple[list[dict], list[dict]]:
        """Every Deployment and its ReplicaSets: the current one, the previous revision's (serving while a
        stuck rollout waits), and up to three older ones scaled to zero (the revision history)."""
        deployments, replica_sets = [], []
        for w in self.g.workloads:
            if w.kind != "Deployment":
                continue
            revision = self.rng.randint(2, 40)
            created = self._since(self._members(w))
            template = self._template(w)
            deployment = self._deployment(w, revision, created, template)
            deployments.append(deployment)
            replica_sets.append(self._replica_set(w, deployment, revision, template))
            older = revision - 1
            if w.previous is not None:
                old_template = self._template(w.previous)
                replica_sets.append(self._replica_set(w.previous, deployment, older, old_template))
                older -= 1
            rs = w.previous or w
            for _ in range(min(older, self.rng.randint(0, 3))):
                rs = self.g._previous_revision(rs)
                replica_sets.append(self._replica_set(rs, deployment, older, _with_image(template, rs.image)))
                older -= 1
        return deployments, replica_sets

    def _template(self, w: Workload) -> dict:
        """The pod template of revision `w`: a pod's spec before admission (no node, no injected sidecar,
        no service-account token volume), with the labels the pods carry apart from pod-template-hash."""
        raw = w.members[0].raw
        spec = {k: v for k, v in raw["spec"].items() if k not in ("nodeName", "serviceAccount")}
        injected = ("istio-proxy", "istio-init")
        tokens = {v["name"] for v in spec["volumes"] if v["name"].startswith("kube-api-access-")}
        istio = {"workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data"}
        istio |= {"istio-podinfo", "istio-token", "istiod-ca-cert"}

        def container(c: dict) -> dict:
            mounts = [m for m in c.get("volumeMounts", []) if m["name"] not in tokens]
            image = w.image if c["name"] == spec["containers"][0]["name"] else c["image"]
            return {**c, "image": image, "volumeMounts": mounts}

        spec["containers"] = [container(c) for c in spec["containers"] if c["name"] not in injected]
        init = [container(c) for c in spec.get("initContainers", []) if c["name"] not in injected]
        if init:
            spec["initContainers"] = init
        else:
            spec.pop("initContainers", None)
        spec["volumes"] = [v for v in spec["volumes"] if v["name"] not in tokens | istio]
        labels = {
            k: v
            for k, v in raw["metadata"]["labels"].items()
            if k != "pod-template-hash" and not k.startswith(("security.istio.io", "service.istio.io"))
        }
        labels["app.kubernetes.io/version"] = w.image.rsplit(":", 1)[1]
        annotations = {
            k: v
            for k, v in raw["metadata"]["annotations"].items()
            if not k.startswith(("sidecar.istio.io", "istio.io"))
        }
        return {
            "metadata": {"annotations": annotations, "creationTimestamp": None, "labels": labels},
            "spec": spec,
        }

    def _deployment(self, w: Workload, revision: int, created: datetime, template: dict) -> dict:
        """A Deployment whose status counts its ReplicaSets' pods: available, short of ready replicas, or
        (with a previous revision still serving) a rollout stuck past its progress deadline."""
        active = self._active(self._members(w))
        ready = len(self._ready(active))
        replicas = len(active)
        updated = len(self._active(w.members))
        since = self._changed(self._members(w), {"creationTimestamp": _ts(created)})
        max_unavailable = replicas // 4  # 25%, rounded down as the controller does
        status: dict = {
            "availableReplicas": ready,
            "conditions": [],
            "observedGeneration": revision + self.rng.randint(0, 5),
            "readyReplicas": ready,
            "replicas": replicas,
            "updatedReplicas": updated,
        }
        if replicas - ready:
            status["unavailableReplicas"] = replicas - ready
        status = {k: v for k, v in status.items() if v or k == "conditions"}  # the API omits zeros
        if ready >= replicas - max_unavailable:
            available = _condition("Available", "True", since, "MinimumReplicasAvailable")
            available["message"] = "Deployment has minimum availability."
        else:
            available = _condition("Available", "False", since, "MinimumReplicasUnavailable")
            available["message"] = "Deployment does not have minimum availability."
        if w.previous is not None:  # the rollout began with the new ReplicaSet's first pod
            began = min(_parse(p.raw["metadata"]["creationTimestamp"]) for p in w.members)
            deadline = min(began + timedelta(seconds=600), CAPTURED_AT - timedelta(seconds=5))
            progressing = _condition("Progressing", "False", deadline, "ProgressDeadlineExceeded")
            progressing["message"] = f'ReplicaSet "{w.owner_name}" has timed out progressing.'
            state = "rollout_stuck"
        else:
            progressing = _condition("Progressing", "True", created, "NewReplicaSetAvailable")
            progressing["message"] = f'ReplicaSet "{w.owner_name}" has successfully progressed.'
            state = "available" if ready >= replicas else "unavailable"
        for condition in (available, progressing):
            del condition["lastProbeTime"]
            condition["lastUpdateTime"] = condition["lastTransitionTime"]
            status["conditions"].append(dict(sorted(condition.items())))
        self.states[("Deployment", w.namespace, w.name)] = state
        annotations = {"deployment.kubernetes.io/revision": str(revision), **self._helm_annotations(w)}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self._meta(
                w.namespace,
                w.name,
                created,
                annotations=annotations,
                generation=status["observedGeneration"],
                labels=self._helm_labels(w),
            ),
            "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": replicas,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": self._selector(w)},
                "strategy": {
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                    "type": "RollingUpdate",
                },
                "template": template,
            },
            "status": status,
        }

    def _replica_set(self, rs: Workload, deployment: dict, revision: int, template: dict) -> dict:
        """The ReplicaSet `rs.owner_name` (uid `rs.owner_uid`, the pods' owner), owned by `deployment`."""
        active = self._active(rs.members)
        ready = len(self._ready(active))
        labels = {**template["metadata"]["labels"], "pod-template-hash": rs.template_hash}
        spec_replicas = deployment["spec"]["replicas"]
        annotations = {
            "deployment.kubernetes.io/desired-replicas": str(spec_replicas),
            "deployment.kubernetes.io/max-replicas": str(spec_replicas + ceil(spec_replicas / 4)),
            "deployment.kubernetes.io/revision": str(revision),
            **self._helm_annotations(rs),
        }
        dmeta = deployment["metadata"]
        owner = {
            "apiVersion": "apps/v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": "Deployment",
            "name": dmeta["name"],
            "uid": dmeta["uid"],
        }
        meta = self._meta(
            rs.namespace,
            rs.owner_name,
            self._since(rs.members) if rs.members else _parse(dmeta["creationTimestamp"]),
            annotations=annotations,
            generation=self.rng.randint(1, 6),
            labels=labels,
            ownerReferences=[owner],
        )
        meta["uid"] = rs.owner_uid
        status = {
            "availableReplicas": ready,
            "fullyLabeledReplicas": len(active),
            "observedGeneration": meta["generation"],
            "readyReplicas": ready,
            "replicas": len(active),
        }
        return {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": meta,
            "spec": {
                "replicas": len(active),
                "selector": {"matchLabels": {**self._selector(rs), "pod-template-hash": rs.template_hash}},
                "template": {**template, "metadata": {**template["metadata"], "labels": labels}},
            },
            "status": {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")},
        }

    # ---- Nodes

    def nodes(self) -> list[dict]:
        """Every node: most Ready, a few under memory or disk pressure, one or two NotReady."""
        images: dict[str, dict[str, int]] = defaultdict(dict)
        for pod in self.pods:
            node = pod.raw["spec"].get("nodeName")
            for c in [*pod.raw["spec"].get("initContainers", []), *pod.raw["spec"]["containers"]]:
                if node and c["image"] not in images[node]:
                    images[node][c["image"]] = self.rng.randint(20_000_000, 400_000_000)
        return [self._node(i, name, images[name]) for i, name in enumerate(self.g.nodes)]

    def _node(self, index: int, name: str, app_images: dict[str, int]) -> dict:
        """A GKE node of its pool, with the images it pulled and the conditions of its state."""
        state = self.g.node_states[name]
        self.states[("Node", "", name)] = state
        pool = next(p for p in _POOLS if f"-{p}-" in name)
        machine, cpus, memory_ki, allocatable_ki = _POOLS[pool]
        zone = _ZONES[index % len(_ZONES)]
        created = CAPTURED_AT - timedelta(days=self.rng.randint(2, 60), seconds=self.rng.randint(0, 86_399))
        labels = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/instance-type": machine,
            "beta.kubernetes.io/os": "linux",
            "cloud.google.com/gke-boot-disk": "pd-balanced",
            "cloud.google.com/gke-container-runtime": "containerd",
            "cloud.google.com/gke-cpu-scaling-level": str(cpus),
            "cloud.google.com/gke-logging-variant": "DEFAULT",
            "cloud.google.com/gke-max-pods-per-node": "110",
            "cloud.google.com/gke-nodepool": pool,
            "cloud.google.com/gke-os-distribution": "cos",
            "cloud.google.com/gke-provisioning": "spot" if pool == "spot" else "standard",
            "cloud.google.com/gke-stack-type": "IPV4",
            "cloud.google.com/machine-family": machine.split("-")[0],
            "cloud.google.com/private-node": "true",
            "failure-domain.beta.kubernetes.io/region": "europe-west1",
            "failure-domain.beta.kubernetes.io/zone": zone,
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": machine,
            "topology.gke.io/zone": zone,
            "topology.kubernetes.io/region": "europe-west1",
            "topology.kubernetes.io/zone": zone,
        }
        if pool == "spot":
            labels["cloud.google.com/gke-spot"] = "true"
        instance_id = str(self.rng.randint(10**18, 10**19 - 1))
        annotations = {
            "container.googleapis.com/instance_id": instance_id,
            "csi.volume.kubernetes.io/nodeid": json.dumps(
                {"pd.csi.storage.gke.io": f"projects/acme-prod/zones/{zone}/instances/{name}"},
                separators=(",", ":"),
            ),
            "node.alpha.kubernetes.io/ttl": "0",
            "node.gke.io/last-applied-node-labels": ",".join(
                f"{k}={v}" for k, v in labels.items() if k.startswith("cloud.google.com/")
            ),
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        }
        pod_cidr = f"10.{100 + index // 256}.{index % 256}.0/24"
        spec: dict = {
            "podCIDR": pod_cidr,
            "podCIDRs": [pod_cidr],
            "providerID": f"gce://acme-prod/{zone}/{name}",
        }
        taints = self._taints(pool, state, name)
        if taints:
            spec["taints"] = taints
        internal = self.g.node_ips[name]
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": self._meta(None, name, created, annotations=annotations, labels=labels),
            "spec": spec,
            "status": {
                "addresses": [
                    {"address": internal, "type": "InternalIP"},
                    {"address": "", "type": "ExternalIP"},
                    {"address": name, "type": "Hostname"},
                ],
                "allocatable": {
                    "cpu": f"{cpus * 1000 - 90 - cpus * 10}m",
                    "ephemeral-storage": "47060071478",
                    "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0",
                    "memory": f"{allocatable_ki}Ki",
                    "pods": "110",
                },
                "capacity": {
                    "cpu": str(cpus),
                    "ephemeral-storage": "98831908Ki",
                    "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0",
                    "memory": f"{memory_ki}Ki",
                    "pods": "110",
                },
                "conditions": self._node_conditions(name, state, created),
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "images": self._node_images(app_images),
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": self.g._uid(),
                    "containerRuntimeVersion": "containerd://1.7.22",
                    "kernelVersion": "6.1.100+",
                    "kubeProxyVersion": "v1.30.5-gke.1014001",
                    "kubeletVersion": "v1.30.5-gke.1014001",
                    "machineID": self.g._hex(32),
                    "operatingSystem": "linux",
                    "osImage": "Container-Optimized OS from Google",
                    "systemUUID": self.g._uid(),
                },
            },
        }

    def _taints(self, pool: str, state: str, name: str) -> list[dict]:
        taints = []
        if pool == "spot":
            taints.append({"effect": "NoSchedule", "key": "cloud.google.com/gke-spot", "value": "true"})
        since = _ts(self.g.node_since.get(name))
        if state == "not_ready":
            taints += [
                {"effect": effect, "key": "node.kubernetes.io/unreachable", "timeAdded": since}
                for effect in ("NoSchedule", "NoExecute")
            ]
        elif state != "ready":
            key = "memory-pressure" if state == "memory_pressure" else "disk-pressure"
            taints.append({"effect": "NoSchedule", "key": f"node.kubernetes.io/{key}", "timeAdded": since})
        return taints

    def _node_conditions(self, name: str, state: str, created: datetime) -> list[dict]:
        """node-problem-detector's conditions, then the kubelet's, as GKE nodes report them."""
        heartbeat = CAPTURED_AT - timedelta(seconds=self.rng.randint(1, 40))
        since = self.g.node_since.get(name, created)
        rows = [
            (
                "FrequentKubeletRestart",
                "False",
                "NoFrequentKubeletRestart",
                "kubelet is functioning properly",
            ),
            ("FrequentDockerRestart", "False", "NoFrequentDockerRestart", "docker is functioning properly"),
            (
                "FrequentContainerdRestart",
                "False",
                "NoFrequentContainerdRestart",
                "containerd is functioning properly",
            ),
            ("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
            ("ReadonlyFilesystem", "False", "FilesystemIsNotReadOnly", "Filesystem is not read-only"),
            (
                "CorruptDockerOverlay2",
                "False",
                "NoCorruptDockerOverlay2",
                "docker overlay2 is functioning properly",
            ),
            (
                "FrequentUnregisterNetDevice",
                "False",
                "NoFrequentUnregisterNetDevice",
                "node is functioning properly",
            ),
            ("NetworkUnavailable", "False", "RouteCreated", "NodeController create implicit route"),
            (
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            ),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status. AppArmor enabled"),
        ]
        kubelet = {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}
        changed: set[str] = set()
        if state == "memory_pressure":
            rows[8] = (
                "MemoryPressure",
                "True",
                "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available",
            )
            changed = {"MemoryPressure"}
        elif state == "disk_pressure":
            rows[9] = ("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure")
            changed = {"DiskPressure"}
        elif state == "not_ready":
            message = "Kubelet stopped posting node status."
            rows = [
                r if r[0] not in kubelet else (r[0], "Unknown", "NodeStatusUnknown", message) for r in rows
            ]
            changed = kubelet
            heartbeat = since - timedelta(seconds=self.rng.randint(30, 50))
        conditions = []
        for kind, status, reason, message in rows:
            conditions.append(
                {
                    "lastHeartbeatTime": _ts(heartbeat),
                    "lastTransitionTime": _ts(since if kind in changed else created),
                    "message": message,
                    "reason": reason,
                    "status": status,
                    "type": kind,
                }
            )
        return conditions

    def _node_images(self, app_images: dict[str, int]) -> list[dict]:
        """The images on the node, largest first, as many as the kubelet reports."""
        images = [*_SYSTEM_IMAGES, *app_images.items()]
        images.sort(key=lambda item: -item[1])
        return [
            {"names": [f"{image.rsplit(':', 1)[0]}@sha256:{self.g._hex(64)}", image], "sizeBytes": size}
            for image, size in images[:_MAX_IMAGES]
        ]


def _with_image(template: dict, image: str) -> dict:
    """`template` with its app container (the first) running `image`, labelled with that version."""
    spec = template["spec"]
    labels = {**template["metadata"]["labels"], "app.kubernetes.io/version": image.rsplit(":", 1)[1]}
    return {
        "metadata": {**template["metadata"], "labels": labels},
        "spec": {**spec, "containers": [{**spec["containers"][0], "image": image}, *spec["containers"][1:]]},
    }


def write_bundle(root: Path, lists: dict[str, list[dict]], namespaces: list[str]) -> None:
    """Write the bundle: k8s/<name>.json for each List, as `kubectl get … -A -o json` prints it, and a
    manifest."""
    (root / "k8s").mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": "incident-bundle/v1",
        "captured_at": _ts(CAPTURED_AT),
        "window": {"start": _ts(CAPTURED_AT - timedelta(hours=1)), "end": _ts(CAPTURED_AT)},
        "cluster": {"name": "gke-prod-eu1", "version": "v1.30.5-gke.1014001"},
        "namespaces": namespaces,
        "notes": "Generated by benchmarks/sweep.py (synthetic, deterministic).",
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for name, items in lists.items():
        if name != "events":  # events keep the API's order (by namespace, then name); objects likewise
            items = sorted(items, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        with (root / "k8s" / f"{name}.json").open("w") as handle:
            handle.write(_kubectl_json(k8s.k8s_list(items)))


def _kubectl_json(document: dict) -> str:
    """JSON as kubectl prints it: 4-space indentation, non-ASCII kept, a trailing newline.

    The C encoder only runs without `indent`; re-indenting its compact output would be fragile, so
    this takes the pure-Python path (a few seconds for 100 MiB) — generation is not what is measured.
    """
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"


def generate_bundle(
    root: Path,
    pods: int,
    events: int,
    seed: int,
    services: int = 2_000,
    deployments: int = 1_000,
    nodes: int = 300,
) -> dict[tuple[str, str, str], str]:
    """Write a bundle of `pods` pods, `events` events, `services` Services (and their Endpoints),
    `deployments` Deployments (and their ReplicaSets) and `nodes` Nodes at `root`.

    Returns the state each subject was generated in, by (kind, namespace, name) (namespace "" for
    nodes): only that, so the caller does not keep the generated objects in memory while it measures.
    """
    generator = BundleGenerator(seed, n_nodes=nodes)
    generated = generator.pods(pods, deployments)
    objects = ClusterObjects(generator, generated)
    service_list, endpoints_list = objects.services(services)
    deployment_list, replica_set_list = objects.deployments()
    node_list = objects.nodes()
    lists = {
        "pods": [p.raw for p in generated],
        "events": generator.events(generated, events),
        "services": service_list,
        "endpoints": endpoints_list,
        "deployments": deployment_list,
        "replicasets": replica_set_list,
        "nodes": node_list,
    }
    write_bundle(root, lists, sorted({p.raw["metadata"]["namespace"] for p in generated}))
    states = objects.states
    states.update({("Pod", *_ident_of(p)): p.state for p in generated})
    return states


def _ident_of(pod: GeneratedPod) -> tuple[str, str]:
    return pod.raw["metadata"]["namespace"], pod.raw["metadata"]["name"]
