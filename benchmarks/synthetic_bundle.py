"""The pods and events of a synthetic incident in a large cluster, as `kubectl get pods,events -A -o json`
prints them (`synthetic_cluster` adds the Services, Deployments and Nodes around them, and writes the bundle).

Pods belong to Deployments (through their ReplicaSets), StatefulSets and CronJobs' Jobs; failures cluster
in a few workloads, as in a real incident, and a few Deployments are rollouts stuck half-way. Pods are
full-size API objects (metadata with labels, annotations, ownerReferences; spec with
containers, resources, probes, env, volumeMounts, tolerations, Istio sidecars in about half of the
application namespaces; status with conditions and containerStatuses) in a realistic mix of states, and
events are the ones those states produce, each about a generated pod (or, for kernel OOM kills, its
node). Everything comes from one seeded `random.Random`: the same arguments give the same bundle.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/, at the repository root

from tools import k8s_objects as k8s
from tools.k8s_objects import parse_timestamp as _parse
from tools.k8s_objects import pod_condition as _condition
from tools.k8s_objects import timestamp as _ts

CAPTURED_AT = datetime(2025, 12, 17, 10, 5, 0, tzinfo=UTC)
# Share of pods in each state; `healthy` takes whatever the rounding leaves. A state is also the root cause
# the diagnosis should give (unless EXPECTED_CAUSE says otherwise), so the printed confusion table shows
# which states it does not recognise.
MIX: dict[str, float] = {
    "completed": 0.030,
    "crash_loop": 0.020,
    "oom_killed": 0.015,
    "image_pull_error": 0.015,
    "unschedulable": 0.015,
    "readiness_failure": 0.012,
    "liveness_failure": 0.008,
    "config_error": 0.008,
    "evicted": 0.010,
    "init_failure": 0.006,
    "terminating_stuck": 0.005,
    "container_create_error": 0.003,
    "job_failed": 0.003,
}
EXPECTED_CAUSE = {
    "readiness_failure": "probe_failure",
    "liveness_failure": "probe_failure",
    "job_failed": "pod_failed",
}
BATCH_STATES = frozenset({"completed", "job_failed"})
# Pods a controller has already replaced (evicted, or deleted but stuck on a finalizer): extras beside
# the replicas, never counted in a workload's status.
LEFTOVER_STATES = frozenset({"evicted", "terminating_stuck"})
# Failures a new revision brings: a Deployment in one of them may be a rollout stuck past its deadline.
ROLLOUT_STATES = frozenset(
    {"image_pull_error", "crash_loop", "config_error", "container_create_error", "readiness_failure"}
)
# States whose containers started normally, so their pods have the whole start-up event sequence.
LIFECYCLE_STATES = frozenset({"healthy", "completed", "job_failed", "readiness_failure", "terminating_stuck"})

_K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what the API server uses for generated name suffixes
_SYSTEM_NAMESPACES = (
    "kube-system",
    "istio-system",
    "monitoring",
    "logging",
    "ingress-nginx",
    "cert-manager",
    "argocd",
)
_TEAMS = (
    "payments",
    "checkout",
    "catalog",
    "search",
    "orders",
    "users",
    "inventory",
    "shipping",
    "billing",
    "notifications",
    "recommendations",
    "reviews",
    "pricing",
    "fraud",
    "identity",
    "media",
    "analytics",
    "ledger",
    "loyalty",
    "partners",
    "support",
    "reporting",
)
_ROLES = ("api", "worker", "web", "gateway", "consumer", "scheduler", "cache", "sync", "indexer", "grpc")
_EXIT_CODES = (1, 1, 1, 1, 2, 3, 101, 126, 127, 134, 139, 255)  # 137/143 are kubelet kills: probe states


@dataclass
class Workload:
    """A Deployment (pods owned by its ReplicaSet), a StatefulSet or a CronJob's Job.

    For a Deployment, the owner fields are those of its current ReplicaSet; `previous` is the ReplicaSet
    of the previous revision when a rollout is stuck half-way (its pods still serve), else None.
    """

    namespace: str
    name: str
    kind: str  # Deployment, StatefulSet, Job
    replicas: int
    mesh: bool
    owner_name: str
    owner_uid: str
    template_hash: str
    cpu: str
    memory: str
    image: str
    port: int = 8080
    pods: int = 0
    members: list[GeneratedPod] = field(default_factory=list)
    previous: Workload | None = None


@dataclass
class GeneratedPod:
    """One generated pod, the state it was generated in, and the events that state produces."""

    raw: dict
    state: str
    events: list[dict] = field(default_factory=list)
    recent: bool = False  # created within the event TTL (1 h), so its lifecycle events still exist


class BundleGenerator:
    """Deterministic generator of a cluster's pods and events, as the API returns them."""

    def __init__(self, seed: int, n_namespaces: int = 50, n_nodes: int = 300) -> None:
        self.rng = random.Random(seed)
        self.resource_version = 48_000_000
        self.namespaces = self._namespaces(n_namespaces)
        self.namespace_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(self.namespaces))]
        self.mesh_namespaces = {ns for ns in self.namespaces if ns not in _SYSTEM_NAMESPACES and self._p(0.5)}
        self.nodes = self._nodes(n_nodes)
        self.node_ips = {
            node: f"10.{20 + i // 250}.{i % 250}.{self.rng.randint(2, 250)}"
            for i, node in enumerate(self.nodes)
        }
        self.node_states = self._node_states()
        # NotReady nodes were drained when their pods' tolerations (300 s) ran out: no pod runs there.
        self.pod_nodes = [n for n in self.nodes if self.node_states[n] != "not_ready"]
        self.open: dict[tuple[str, bool], Workload] = {}
        self.workloads: list[Workload] = []  # the Deployments and StatefulSets, in creation order
        self.names: set[tuple[str, str]] = set()
        self.object_events: list[dict] = []  # events about objects other than pods (nodes)
        self.pod_ip = 0

    # ---- small helpers

    def _p(self, probability: float) -> bool:
        return self.rng.random() < probability

    def _uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _suffix(self, n: int) -> str:
        return "".join(self.rng.choices(_K8S_ALPHABET, k=n))

    def _rv(self) -> str:
        self.resource_version += self.rng.randint(1, 40)
        return str(self.resource_version)

    def _hex(self, n: int) -> str:
        return "".join(self.rng.choices("0123456789abcdef", k=n))

    def _ago(self, low: timedelta, high: timedelta) -> datetime:
        span = (high - low).total_seconds()
        return CAPTURED_AT - low - timedelta(seconds=int(self.rng.random() * span))

    def _namespaces(self, n: int) -> list[str]:
        envs = ("prod", "staging", "canary", "batch", "edge")
        apps = [f"{team}-{env}" for env in envs for team in _TEAMS]
        self.rng.shuffle(apps)
        return list(_SYSTEM_NAMESPACES[: min(7, n // 5)]) + apps[: n - min(7, n // 5)]

    def _node_states(self) -> dict[str, str]:
        """Each node's state: a few under memory or disk pressure, one or two NotReady, the rest ready."""
        n = len(self.nodes)
        shuffled = self.rng.sample(self.nodes, n)
        counts = {
            "not_ready": min(n, max(1, round(n * 0.006))),
            "memory_pressure": round(n * 0.02),
            "disk_pressure": round(n * 0.01),
        }
        states = dict.fromkeys(self.nodes, "ready")
        self.node_since: dict[str, datetime] = {}  # when each node left the ready state
        start = 0
        for state, count in counts.items():
            for node in shuffled[start : start + count]:
                states[node] = state
                self.node_since[node] = self._ago(timedelta(minutes=10), timedelta(minutes=50))
            start += count
        return states

    def _nodes(self, n: int) -> list[str]:
        pools = ("general-a", "general-b", "memory-opt", "compute-opt", "spot")
        nodes = []
        for i in range(n):
            pool = pools[i % len(pools)]
            nodes.append(f"gke-prod-eu1-{pool}-{self._hex(8)}-{self._suffix(4)}")
        return nodes

    # ---- workloads

    def _job(self, namespace: str) -> Workload:
        """The CronJob's Job that gets the next batch pod of this namespace; a new one when it is full."""
        current = self.open.get((namespace, True))
        if current and current.pods < current.replicas:
            return current
        self.open[(namespace, True)] = self._new_workload(
            namespace, "Job", self.rng.choice((1, 1, 2, 3, 4, 6))
        )
        return self.open[(namespace, True)]

    def _new_workload(self, namespace: str, kind: str, replicas: int) -> Workload:
        """A Deployment, StatefulSet or Job of `replicas` pods in `namespace`, with a fresh name."""
        batch = kind == "Job"
        role = self.rng.choice(_ROLES) if not batch else self.rng.choice(("report", "etl", "backup", "sync"))
        base = namespace.split("-")[0] if namespace not in _SYSTEM_NAMESPACES else namespace.split("-")[-1]
        name = f"{base}-{role}-{self._suffix(3)}" if not batch else f"{base}-{role}-cron"
        template_hash = self._suffix(self.rng.choice((9, 10)))
        owner_name = {
            "Deployment": f"{name}-{template_hash}",
            "StatefulSet": name,
            "Job": f"{name}-{29_450_000 + self.rng.randint(0, 99_999)}",
        }[kind]
        memory = self.rng.choice(("128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"))
        cpu = self.rng.choice(("100m", "250m", "500m", "1", "2"))
        version = f"{self.rng.randint(1, 4)}.{self.rng.randint(1, 30)}.{self.rng.randint(0, 9)}"
        image = f"europe-docker.pkg.dev/acme-prod/{base}/{name.rsplit('-', 1)[0]}:{version}"
        return Workload(
            namespace,
            name,
            kind,
            replicas,
            namespace in self.mesh_namespaces,
            owner_name,
            self._uid(),
            template_hash,
            cpu,
            memory,
            image,
            port=self.rng.choice((8080, 8000, 3000, 9000)),
        )

    def _previous_revision(self, w: Workload) -> Workload:
        """The ReplicaSet of `w`'s previous revision (an older image), whose pods serve while it rolls out."""
        repo, version = w.image.rsplit(":", 1)
        major, minor, patch = version.split(".")
        template_hash = self._suffix(len(w.template_hash))
        return dataclasses.replace(
            w,
            owner_name=f"{w.name}-{template_hash}",
            owner_uid=self._uid(),
            template_hash=template_hash,
            image=f"{repo}:{major}.{max(int(minor) - 1, 0)}.{patch}",
            pods=0,
            members=[],
            previous=None,
        )

    def _pod_name(self, workload: Workload) -> str:
        while True:
            if workload.kind == "StatefulSet":
                name = f"{workload.name}-{workload.pods}"
            else:
                name = f"{workload.owner_name}-{self._suffix(5)}"
            if (workload.namespace, name) not in self.names:
                self.names.add((workload.namespace, name))
                return name
            workload.pods += 1

    # ---- pods

    def pods(self, count: int, deployments: int) -> list[GeneratedPod]:
        """`count` pods in the states of MIX (exact counts), in `deployments` Deployments, some StatefulSets
        and CronJobs' Jobs; `self.workloads` holds the Deployments and StatefulSets afterwards."""
        states = [state for state, share in MIX.items() for _ in range(round(share * count))][:count]
        states += ["healthy"] * (count - len(states))
        self.rng.shuffle(states)
        batch = [s for s in states if s in BATCH_STATES]
        plan = [(self._job(self._namespace()), s) for s in batch]
        plan += self._plan_served([s for s in states if s not in BATCH_STATES], deployments)
        generated = []
        for workload, state in plan:
            pod = self._base_pod(workload, state)
            workload.pods += 1
            workload.members.append(pod)
            getattr(self, f"_state_{state}")(pod)
            generated.append(pod)
        return generated

    def _namespace(self) -> str:
        return self.rng.choices(self.namespaces, self.namespace_weights)[0]

    def _plan_served(self, states: list[str], deployments: int) -> list[tuple[Workload, str]]:
        """Which workload each non-batch pod belongs to: (workload, state) pairs.

        Failures cluster, as in a real incident: a few workloads get one failure mode each (on all of their
        pods, or on some of them beside healthy ones), the rest only healthy pods. Some of the failing
        Deployments are rollouts stuck half-way: the failing pods are the new revision's, the healthy ones
        the previous revision's. Evicted and stuck-terminating pods are leftovers the controllers already
        replaced, added beside the replicas.
        """
        leftovers = [s for s in states if s in LEFTOVER_STATES]
        failing = sorted(s for s in states if s not in LEFTOVER_STATES and s != "healthy")  # grouped by state
        healthy = [s for s in states if s == "healthy"]
        replicas_total = len(failing) + len(healthy)
        if replicas_total < deployments or (replicas_total and deployments < 1):
            raise SystemExit(
                f"{replicas_total} pods cannot fill {deployments} Deployments: ask for more pods or fewer "
                "Deployments"
            )
        kinds = ["Deployment"] * deployments
        kinds += ["StatefulSet"] * min(round(deployments * 0.12 / 0.88), replicas_total - deployments)
        wanted = [
            self.rng.choice((1, 2, 2, 3, 3, 4, 6, 8, 12, 20, 40) if kind == "Deployment" else (1, 3, 3, 5))
            for kind in kinds
        ]
        sizes = _spread(replicas_total, wanted)
        self.workloads = [
            self._new_workload(self._namespace(), k, n) for k, n in zip(kinds, sizes, strict=True)
        ]
        stuck_left = max(1, round(deployments * 0.02)) if deployments else 0
        plan: list[tuple[Workload, str]] = []
        for w in self.rng.sample(self.workloads, len(self.workloads)):
            bad: list[str] = []
            if failing:
                run = next((i for i, s in enumerate(failing) if s != failing[0]), len(failing))
                whole = self._p(0.5) or w.replicas == 1
                take = w.replicas if whole else self.rng.randint((w.replicas + 1) // 2, w.replicas - 1)
                bad, failing = failing[: min(take, run)], failing[min(take, run) :]
            good, healthy = healthy[: w.replicas - len(bad)], healthy[w.replicas - len(bad) :]
            if len(bad) + len(good) < w.replicas:  # healthy pods ran out: the rest fail too
                more = w.replicas - len(bad) - len(good)
                bad, failing = bad + failing[:more], failing[more:]
            if stuck_left and w.kind == "Deployment" and bad and good and bad[0] in ROLLOUT_STATES:
                stuck_left -= 1
                w.previous = self._previous_revision(w)
                plan += [(w, s) for s in bad] + [(w.previous, s) for s in good]
            else:
                plan += [(w, s) for s in bad + good]
        for state in leftovers:
            w = self.rng.choice(self.workloads)
            plan.append((w.previous or w, state))
        return plan

    def _base_pod(self, w: Workload, state: str) -> GeneratedPod:
        """A running, ready pod of workload `w`; the state methods turn it into what `state` needs."""
        name = self._pod_name(w)
        recent = self._p(0.6) or state not in ("healthy", "completed", "evicted", "terminating_stuck")
        created = (
            self._ago(timedelta(minutes=3), timedelta(minutes=55))
            if recent
            else self._ago(timedelta(hours=2), timedelta(days=30))
        )
        node = self.rng.choice(self.pod_nodes)
        self.pod_ip += 1
        ip = f"10.{64 + self.pod_ip // 65_000}.{(self.pod_ip // 250) % 256}.{self.pod_ip % 250 + 2}"
        container = w.name.rsplit("-", 1)[0]
        labels = {
            "app.kubernetes.io/instance": w.name,
            "app.kubernetes.io/name": container,
            "app.kubernetes.io/part-of": w.namespace.split("-")[0],
            "app.kubernetes.io/version": w.image.rsplit(":", 1)[1],
            "team": w.namespace.split("-")[0],
        }
        if w.kind == "Deployment":
            labels["pod-template-hash"] = w.template_hash
        elif w.kind == "StatefulSet":
            labels["controller-revision-hash"] = f"{w.name}-{w.template_hash}"
            labels["statefulset.kubernetes.io/pod-name"] = name
        else:
            labels.update(
                {
                    "batch.kubernetes.io/controller-uid": w.owner_uid,
                    "batch.kubernetes.io/job-name": w.owner_name,
                    "controller-uid": w.owner_uid,
                    "job-name": w.owner_name,
                }
            )
        if w.mesh:
            labels.update(
                {
                    "security.istio.io/tlsMode": "istio",
                    "service.istio.io/canonical-name": container,
                    "service.istio.io/canonical-revision": labels["app.kubernetes.io/version"],
                }
            )
        annotations = {
            "kubectl.kubernetes.io/default-container": container,
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9090",
            "prometheus.io/path": "/metrics",
            "checksum/config": self._hex(64),
        }
        if w.mesh:
            annotations["istio.io/rev"] = "default"
            annotations["sidecar.istio.io/status"] = json.dumps(
                {
                    "initContainers": ["istio-init"],
                    "containers": ["istio-proxy"],
                    "volumes": [
                        "workload-socket",
                        "credential-socket",
                        "workload-certs",
                        "istio-envoy",
                        "istio-data",
                        "istio-podinfo",
                        "istio-token",
                        "istiod-ca-cert",
                    ],
                    "imagePullSecrets": None,
                    "revision": "default",
                },
                separators=(",", ":"),
            )
        token_volume = f"kube-api-access-{self._suffix(5)}"
        containers = [self._app_container(w, container, token_volume)]
        init_containers = [self._init_container(token_volume)] if self._p(0.15) else []
        if w.mesh:
            containers.append(self._istio_proxy(name, w, token_volume))
            init_containers.insert(0, self._istio_init(token_volume))
        spec = {
            "affinity": {
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "podAffinityTerm": {
                                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": container}},
                                "topologyKey": "kubernetes.io/hostname",
                            },
                            "weight": 100,
                        }
                    ]
                }
            },
            "containers": containers,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Never" if w.kind == "Job" else "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "serviceAccount": container,
            "serviceAccountName": container,
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
            ],
            "topologySpreadConstraints": [
                {
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/name": container}},
                    "maxSkew": 1,
                    "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "ScheduleAnyway",
                }
            ],
            "volumes": self._volumes(w, container, token_volume),
        }
        if init_containers:
            spec["initContainers"] = init_containers
        if w.kind == "StatefulSet":
            spec["hostname"], spec["subdomain"] = name, w.name
        if self._p(0.2):
            spec["tolerations"].append(
                {
                    "effect": "NoSchedule",
                    "key": "cloud.google.com/gke-spot",
                    "operator": "Equal",
                    "value": "true",
                }
            )
            spec["nodeSelector"] = {"cloud.google.com/gke-spot": "true"}
        started = created + timedelta(seconds=self.rng.randint(1, 4))
        ready_at = started + timedelta(seconds=self.rng.randint(5, 40))
        owner_api = "batch/v1" if w.kind == "Job" else "apps/v1"
        owner_kind = {"Deployment": "ReplicaSet"}.get(w.kind, w.kind)
        raw = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "annotations": annotations,
                "creationTimestamp": _ts(created),
                **({"generateName": f"{w.owner_name}-"} if w.kind != "StatefulSet" else {}),
                "labels": labels,
                "name": name,
                "namespace": w.namespace,
                "ownerReferences": [
                    {
                        "apiVersion": owner_api,
                        "blockOwnerDeletion": True,
                        "controller": True,
                        "kind": owner_kind,
                        "name": w.owner_name,
                        "uid": w.owner_uid,
                    }
                ],
                "resourceVersion": self._rv(),
                "uid": self._uid(),
            },
            "spec": spec,
            "status": {
                "conditions": [
                    _condition("PodReadyToStartContainers", "True", started),
                    _condition("Initialized", "True", started),
                    _condition("Ready", "True", ready_at),
                    _condition("ContainersReady", "True", ready_at),
                    _condition("PodScheduled", "True", created),
                ],
                "containerStatuses": [self._running_status(c, started) for c in containers],
                "hostIP": self.node_ips[node],
                "hostIPs": [{"ip": self.node_ips[node]}],
                "phase": "Running",
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "qosClass": "Burstable",
                "startTime": _ts(created),
            },
        }
        if init_containers:
            raw["status"]["initContainerStatuses"] = [
                self._terminated_status(c, "Completed", 0, created, started, ready=True)
                for c in init_containers
            ]
        return GeneratedPod(raw, state, recent=recent)

    def _app_container(self, w: Workload, name: str, token_volume: str) -> dict:
        port = w.port
        http = self._p(0.85)
        probe_action = (
            {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}}
            if http
            else {"tcpSocket": {"port": "http"}}
        )
        env = [
            {"name": "LOG_LEVEL", "value": self.rng.choice(("info", "info", "debug", "warn"))},
            {"name": "SERVICE_NAME", "value": name},
            {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.monitoring:4317"},
            {
                "name": "POD_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
            },
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            },
            {
                "name": "GOMAXPROCS",
                "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.cpu"}},
            },
            {
                "name": "DATABASE_PASSWORD",
                "valueFrom": {"secretKeyRef": {"key": "password", "name": f"{name}-db"}},
            },
        ]
        return {
            "args": ["--config=/etc/app/config.yaml", f"--port={port}"],
            "env": env,
            "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
            "image": w.image,
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": {
                **probe_action,
                "failureThreshold": 3,
                "initialDelaySeconds": 15,
                "periodSeconds": 10,
                "successThreshold": 1,
                "timeoutSeconds": 2,
            },
            "name": name,
            "ports": [
                {"containerPort": port, "name": "http", "protocol": "TCP"},
                {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
            ],
            "readinessProbe": {
                **(
                    {"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"}}
                    if http
                    else probe_action
                ),
                "failureThreshold": 3,
                "initialDelaySeconds": 5,
                "periodSeconds": 5,
                "successThreshold": 1,
                "timeoutSeconds": 1,
            },
            "resources": {
                "limits": {"cpu": w.cpu, "memory": w.memory},
                "requests": {"cpu": self.rng.choice(("50m", "100m", "250m")), "memory": w.memory},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "runAsUser": 10001,
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "volumeMounts": [
                {"mountPath": "/etc/app", "name": "config", "readOnly": True},
                {"mountPath": "/tmp", "name": "tmp"},
                {
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    "name": token_volume,
                    "readOnly": True,
                },
            ],
        }

    def _init_container(self, token_volume: str) -> dict:
        return {
            "command": ["sh", "-c", "until nc -z postgres.db.svc.cluster.local 5432; do sleep 2; done"],
            "image": "europe-docker.pkg.dev/acme-prod/base/wait-for:1.4.0",
            "imagePullPolicy": "IfNotPresent",
            "name": "wait-for-db",
            "resources": {
                "limits": {"cpu": "100m", "memory": "64Mi"},
                "requests": {"cpu": "10m", "memory": "16Mi"},
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [
                {
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    "name": token_volume,
                    "readOnly": True,
                }
            ],
        }

    def _istio_init(self, token_volume: str) -> dict:
        return {
            "args": [
                "istio-iptables",
                "-p",
                "15001",
                "-z",
                "15006",
                "-u",
                "1337",
                "-m",
                "REDIRECT",
                "-i",
                "*",
                "-x",
                "",
                "-b",
                "*",
                "-d",
                "15090,15021,15020",
                "--log_output_level=default:info",
            ],
            "image": "docker.io/istio/proxyv2:1.22.3",
            "imagePullPolicy": "IfNotPresent",
            "name": "istio-init",
            "resources": {
                "limits": {"cpu": "2", "memory": "1Gi"},
                "requests": {"cpu": "10m", "memory": "40Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
                "privileged": False,
                "readOnlyRootFilesystem": False,
                "runAsGroup": 0,
                "runAsNonRoot": False,
                "runAsUser": 0,
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [
                {
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    "name": token_volume,
                    "readOnly": True,
                }
            ],
        }

    def _istio_proxy(self, pod_name: str, w: Workload, token_volume: str) -> dict:
        field_env = {
            "POD_NAME": "metadata.name",
            "POD_NAMESPACE": "metadata.namespace",
            "INSTANCE_IP": "status.podIP",
            "SERVICE_ACCOUNT": "spec.serviceAccountName",
            "HOST_IP": "status.hostIP",
        }
        env = [
            {"name": "JWT_POLICY", "value": "third-party-jwt"},
            {"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
            {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"},
        ]
        env += [
            {"name": k, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": v}}}
            for k, v in field_env.items()
        ]
        env += [
            {
                "name": "ISTIO_CPU_LIMIT",
                "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.cpu"}},
            },
            {"name": "PROXY_CONFIG", "value": "{}\n"},
            {
                "name": "ISTIO_META_POD_PORTS",
                "value": f'[\n    {{"name":"http","containerPort":{w.port},"protocol":"TCP"}}\n]',
            },
            {"name": "ISTIO_META_APP_CONTAINERS", "value": w.name.rsplit("-", 1)[0]},
            {
                "name": "GOMEMLIMIT",
                "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.memory"}},
            },
            {
                "name": "GOMAXPROCS",
                "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.cpu"}},
            },
            {"name": "ISTIO_META_CLUSTER_ID", "value": "Kubernetes"},
            {
                "name": "ISTIO_META_NODE_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
            },
            {"name": "ISTIO_META_INTERCEPTION_MODE", "value": "REDIRECT"},
            {"name": "ISTIO_META_WORKLOAD_NAME", "value": w.name},
            {
                "name": "ISTIO_META_OWNER",
                "value": f"kubernetes://apis/apps/v1/namespaces/{w.namespace}/deployments/{w.name}",
            },
            {"name": "ISTIO_META_MESH_ID", "value": "cluster.local"},
            {"name": "TRUST_DOMAIN", "value": "cluster.local"},
        ]
        return {
            "args": [
                "proxy",
                "sidecar",
                "--domain",
                "$(POD_NAMESPACE).svc.cluster.local",
                "--proxyLogLevel=warning",
                "--proxyComponentLogLevel=misc:error",
                "--log_output_level=default:info",
            ],
            "env": env,
            "image": "docker.io/istio/proxyv2:1.22.3",
            "imagePullPolicy": "IfNotPresent",
            "name": "istio-proxy",
            "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
            "readinessProbe": {
                "failureThreshold": 4,
                "httpGet": {"path": "/healthz/ready", "port": 15021, "scheme": "HTTP"},
                "periodSeconds": 15,
                "successThreshold": 1,
                "timeoutSeconds": 3,
            },
            "resources": {
                "limits": {"cpu": "2", "memory": "1Gi"},
                "requests": {"cpu": "100m", "memory": "128Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "privileged": False,
                "readOnlyRootFilesystem": True,
                "runAsGroup": 1337,
                "runAsNonRoot": True,
                "runAsUser": 1337,
            },
            "startupProbe": {
                "failureThreshold": 600,
                "httpGet": {"path": "/healthz/ready", "port": 15021, "scheme": "HTTP"},
                "periodSeconds": 1,
                "successThreshold": 1,
                "timeoutSeconds": 3,
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [
                {"mountPath": "/var/run/secrets/workload-spiffe-uds", "name": "workload-socket"},
                {"mountPath": "/var/run/secrets/credential-uds", "name": "credential-socket"},
                {"mountPath": "/var/run/secrets/workload-spiffe-credentials", "name": "workload-certs"},
                {"mountPath": "/var/run/secrets/istio", "name": "istiod-ca-cert"},
                {"mountPath": "/var/lib/istio/data", "name": "istio-data"},
                {"mountPath": "/etc/istio/proxy", "name": "istio-envoy"},
                {"mountPath": "/var/run/secrets/tokens", "name": "istio-token"},
                {"mountPath": "/etc/istio/pod", "name": "istio-podinfo"},
                {
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                    "name": token_volume,
                    "readOnly": True,
                },
            ],
        }

    def _volumes(self, w: Workload, container: str, token_volume: str) -> list[dict]:
        volumes = [
            {"configMap": {"defaultMode": 420, "name": f"{container}-config"}, "name": "config"},
            {"emptyDir": {"sizeLimit": "256Mi"}, "name": "tmp"},
            {
                "name": token_volume,
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                "name": "kube-root-ca.crt",
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace",
                                    }
                                ]
                            }
                        },
                    ],
                },
            },
        ]
        if w.mesh:
            volumes += [
                {"emptyDir": {}, "name": n}
                for n in ("workload-socket", "credential-socket", "workload-certs", "istio-data")
            ]
            volumes += [
                {"emptyDir": {"medium": "Memory"}, "name": "istio-envoy"},
                {
                    "downwardAPI": {
                        "defaultMode": 420,
                        "items": [
                            {
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"},
                                "path": "labels",
                            },
                            {
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.annotations"},
                                "path": "annotations",
                            },
                        ],
                    },
                    "name": "istio-podinfo",
                },
                {
                    "name": "istio-token",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {
                                "serviceAccountToken": {
                                    "audience": "istio-ca",
                                    "expirationSeconds": 43200,
                                    "path": "istio-token",
                                }
                            }
                        ],
                    },
                },
                {"configMap": {"defaultMode": 420, "name": "istio-ca-root-cert"}, "name": "istiod-ca-cert"},
            ]
        return volumes

    # ---- container statuses

    def _status_base(self, spec: dict, ready: bool, restarts: int, started: bool) -> dict:
        """The status of container `spec`, its state left empty for the caller to fill."""
        container_id = f"containerd://{self._hex(64)}"
        image_id = f"{spec['image'].rsplit(':', 1)[0]}@sha256:{self._hex(64)}"
        status = k8s.container_status(
            spec["name"],
            spec["image"],
            image_id,
            container_id,
            {},
            ready=ready,
            started=started,
            restarts=restarts,
        )
        status["started"] = status.pop("started")  # last, as this bundle has always had it
        return status

    def _running_status(self, spec: dict, since: datetime, ready: bool = True, restarts: int = 0) -> dict:
        status = self._status_base(spec, ready, restarts, True)
        status["state"] = k8s.running_state(since)
        return status

    def _terminated_status(
        self, spec: dict, reason: str, code: int, started: datetime, finished: datetime, ready: bool = False
    ) -> dict:
        status = self._status_base(spec, ready, 0, False)
        status["state"] = k8s.terminated_state(status["containerID"], reason, code, started, finished)
        return status

    def _app(self, pod: GeneratedPod) -> tuple[dict, dict]:
        """The app container's spec and status (the first container; a sidecar, if any, comes after)."""
        return pod.raw["spec"]["containers"][0], pod.raw["status"]["containerStatuses"][0]

    def _set_not_ready(self, pod: GeneratedPod, at: datetime, containers: list[str], phase: str = "Running"):
        status = pod.raw["status"]
        status["phase"] = phase
        for condition in status["conditions"]:
            if condition["type"] in ("Ready", "ContainersReady"):
                condition.update(k8s.not_ready_condition(condition["type"], at, containers))

    # ---- states: each turns the base pod into the state and records the events it produces

    def _state_healthy(self, pod: GeneratedPod) -> None:
        if self._p(0.05):  # an old crash or a node restart in its history: still healthy now
            status = pod.raw["status"]["containerStatuses"][0]
            status["restartCount"] = self.rng.randint(1, 2)
            first = _parse(status["state"]["running"]["startedAt"])
            restarted = first + (CAPTURED_AT - first) * self.rng.uniform(0.1, 0.9)
            status["state"]["running"]["startedAt"] = _ts(restarted)
            reason, code = self.rng.choice((("Error", 1), ("Unknown", 255)))
            previous = f"containerd://{self._hex(64)}"
            status["lastState"] = k8s.terminated_state(previous, reason, code, first, restarted)

    def _state_crash_loop(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        name, ns, uid = _ident(pod.raw)
        restarts = self.rng.randint(4, 300)
        code = self.rng.choice(_EXIT_CODES)
        finished = self._ago(timedelta(seconds=5), timedelta(minutes=5))
        status.update(ready=False, restartCount=restarts, started=False)
        status["lastState"] = k8s.terminated_state(
            status["containerID"],
            "Error",
            code,
            finished - timedelta(seconds=self.rng.randint(1, 30)),
            finished,
        )
        status["state"] = k8s.crash_loop_state(spec["name"], *_ident(pod.raw), "5m0s")
        self._set_not_ready(pod, finished, [spec["name"]])
        path = f"spec.containers{{{spec['name']}}}"
        first = _parse(pod.raw["metadata"]["creationTimestamp"])
        pod.events += [
            self._event(
                pod,
                "Pulled",
                f'Container image "{spec["image"]}" already present on machine',
                path,
                count=restarts,
                first=first,
                last=finished,
            ),
            self._event(
                pod,
                "Created",
                f"Created container {spec['name']}",
                path,
                count=restarts,
                first=first,
                last=finished,
            ),
            self._event(
                pod,
                "Started",
                f"Started container {spec['name']}",
                path,
                count=restarts,
                first=first,
                last=finished,
            ),
            self._event(
                pod,
                "BackOff",
                f"Back-off restarting failed container {spec['name']} in pod {name}_{ns}({uid})",
                path,
                warning=True,
                count=restarts * 4,
                first=first,
                last=CAPTURED_AT - timedelta(seconds=self.rng.randint(1, 20)),
            ),
        ]

    def _state_oom_killed(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        name, ns, uid = _ident(pod.raw)
        finished = self._ago(timedelta(seconds=10), timedelta(minutes=20))
        restarts = self.rng.randint(1, 60)
        status["lastState"] = k8s.terminated_state(
            status["containerID"],
            "OOMKilled",
            137,
            finished - timedelta(minutes=self.rng.randint(1, 30)),
            finished,
        )
        status["restartCount"] = restarts
        path = f"spec.containers{{{spec['name']}}}"
        first = _parse(pod.raw["metadata"]["creationTimestamp"])
        if self._p(0.7):  # looping on OOM kills; the rest recovered after a kill
            status.update(ready=False, started=False)
            status["state"] = k8s.crash_loop_state(spec["name"], *_ident(pod.raw), "2m40s")
            self._set_not_ready(pod, finished, [spec["name"]])
            pod.events.append(
                self._event(
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container {spec['name']} in pod {name}_{ns}({uid})",
                    path,
                    warning=True,
                    count=restarts * 3,
                    first=first,
                    last=CAPTURED_AT - timedelta(seconds=7),
                )
            )
        else:
            status["state"] = {"running": {"startedAt": _ts(finished + timedelta(seconds=1))}}
        pod.events += [
            self._event(
                pod,
                "Pulled",
                f'Container image "{spec["image"]}" already present on machine',
                path,
                count=restarts + 1,
                first=first,
                last=finished,
            ),
            self._event(
                pod,
                "Started",
                f"Started container {spec['name']}",
                path,
                count=restarts + 1,
                first=first,
                last=finished,
            ),
        ]
        if self._p(0.3):
            pod.events.append(
                self._node_event(
                    pod.raw["spec"]["nodeName"],
                    "OOMKilling",
                    f"Memory cgroup out of memory: Killed process {self.rng.randint(1000, 99999)} "
                    f"({self.rng.choice(('java', 'node', 'python3', 'server'))}) total-vm:4783112kB, "
                    f"anon-rss:{self.rng.randint(100_000, 4_000_000)}kB, file-rss:21344kB, shmem-rss:0kB, "
                    f"UID:10001 pgtables:2480kB oom_score_adj:983",
                    finished,
                )
            )

    def _state_image_pull_error(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        tag = self.rng.choice(("v2.0.0-rc1", "latest-fix", "sha-9f3e1c2"))
        bad_tag = f"{spec['image'].rsplit(':', 1)[0]}:{tag}"
        spec["image"] = bad_tag
        repo = bad_tag.rsplit(":", 1)[0]
        why = self.rng.choice(
            (
                f"{bad_tag}: not found",
                f"failed to authorize: failed to fetch oauth token: unexpected status from GET request to "
                f"https://europe-docker.pkg.dev/v2/token?scope=repository%3A{repo.split('/', 1)[1]}%3Apull: "
                "403 Forbidden",
                f"unexpected status from HEAD request to https://{repo.split('/', 1)[0]}/v2/: "
                "429 Too Many Requests",
            )
        )
        error = (
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{bad_tag}": '
            f'failed to resolve reference "{bad_tag}": {why}'
        )
        del status["containerID"]  # no container was ever created
        status.update(image=bad_tag, imageID="", ready=False, started=False)
        backoff = self._p(0.7)
        status["state"] = {
            "waiting": {
                "message": f'Back-off pulling image "{bad_tag}"' if backoff else error,
                "reason": "ImagePullBackOff" if backoff else "ErrImagePull",
            }
        }
        created = _parse(pod.raw["metadata"]["creationTimestamp"])
        self._set_not_ready(pod, created, [spec["name"]], phase="Pending")
        path = f"spec.containers{{{spec['name']}}}"
        attempts = self.rng.randint(2, 15)
        last = CAPTURED_AT - timedelta(seconds=self.rng.randint(5, 200))
        pod.events += [
            self._event(
                pod, "Pulling", f'Pulling image "{bad_tag}"', path, count=attempts, first=created, last=last
            ),
            self._event(
                pod,
                "Failed",
                f'Failed to pull image "{bad_tag}": {error}',
                path,
                warning=True,
                count=attempts,
                first=created,
                last=last,
            ),
            self._event(
                pod,
                "Failed",
                "Error: ErrImagePull",
                path,
                warning=True,
                count=attempts,
                first=created,
                last=last,
            ),
            self._event(
                pod,
                "BackOff",
                f'Back-off pulling image "{bad_tag}"',
                path,
                count=attempts * 6,
                first=created,
                last=last,
            ),
            self._event(
                pod,
                "Failed",
                "Error: ImagePullBackOff",
                path,
                warning=True,
                count=attempts * 6,
                first=created,
                last=last,
            ),
        ]

    def _state_config_error(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        del status["containerID"]
        status.update(imageID="", ready=False, started=False)
        created = _parse(pod.raw["metadata"]["creationTimestamp"])
        ns = pod.raw["metadata"]["namespace"]
        path = f"spec.containers{{{spec['name']}}}"
        last = CAPTURED_AT - timedelta(seconds=self.rng.randint(5, 100))
        count = self.rng.randint(5, 200)
        if self._p(0.25):  # a Secret volume that does not exist: stuck in ContainerCreating
            secret = f"{spec['name']}-tls"
            pod.raw["spec"]["volumes"].append(
                {"name": "tls", "secret": {"defaultMode": 420, "secretName": secret}}
            )
            spec["volumeMounts"].append({"mountPath": "/etc/tls", "name": "tls", "readOnly": True})
            status["state"] = {"waiting": {"reason": "ContainerCreating"}}
            self._set_not_ready(pod, created, [spec["name"]], phase="Pending")
            pod.events.append(
                self._event(
                    pod,
                    "FailedMount",
                    f'MountVolume.SetUp failed for volume "tls" : secret "{secret}" not found',
                    None,
                    warning=True,
                    count=count,
                    first=created,
                    last=last,
                )
            )
            return
        message = self.rng.choice(
            (
                f'configmap "{spec["name"]}-config" not found',
                f'secret "{spec["name"]}-db" not found',
                f"couldn't find key DATABASE_URL in ConfigMap {ns}/{spec['name']}-config",
            )
        )
        status["state"] = {"waiting": {"message": message, "reason": "CreateContainerConfigError"}}
        self._set_not_ready(pod, created, [spec["name"]], phase="Pending")
        pod.events += [
            self._event(
                pod,
                "Pulled",
                f'Container image "{spec["image"]}" already present on machine',
                path,
                count=count,
                first=created,
                last=last,
            ),
            self._event(
                pod, "Failed", f"Error: {message}", path, warning=True, count=count, first=created, last=last
            ),
        ]

    def _state_container_create_error(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        reason, message = self.rng.choice(
            (
                (
                    "CreateContainerError",
                    f'failed to generate container "{self._hex(64)}" spec: failed to apply OCI '
                    'options: failed to mkdir "/data/cache": mkdir /data: read-only file system',
                ),
                (
                    "RunContainerError",
                    "failed to create containerd task: failed to create shim task: OCI runtime "
                    "create failed: runc create failed: unable to start container process: "
                    'exec: "/app/server": stat /app/server: no such file or directory: unknown',
                ),
            )
        )
        status.update(ready=False, started=False, restartCount=self.rng.randint(0, 5))
        status["state"] = {"waiting": {"message": message, "reason": reason}}
        created = _parse(pod.raw["metadata"]["creationTimestamp"])
        self._set_not_ready(pod, created, [spec["name"]])
        path = f"spec.containers{{{spec['name']}}}"
        count = self.rng.randint(3, 60)
        pod.events.append(
            self._event(
                pod,
                "Failed",
                f"Error: {message}",
                path,
                warning=True,
                count=count,
                first=created,
                last=CAPTURED_AT - timedelta(seconds=30),
            )
        )

    def _state_unschedulable(self, pod: GeneratedPod) -> None:
        raw = pod.raw
        created = _parse(raw["metadata"]["creationTimestamp"])
        n = len(self.nodes)
        a = self.rng.randint(1, n // 3)
        b = self.rng.randint(1, n // 3)
        message = self.rng.choice(
            (
                f"0/{n} nodes are available: {a} Insufficient cpu, {n - a} Insufficient memory. preemption: "
                f"0/{n} nodes are available: {n} No preemption victims found for incoming pod.",
                f"0/{n} nodes are available: {a} node(s) had untolerated taint {{dedicated: gpu}}, "
                f"{n - a} node(s) didn't match Pod's node affinity/selector. "
                f"preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
                f"0/{n} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: "
                f"0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
                f"0/{n} nodes are available: {a} Insufficient cpu, "
                f"{b} node(s) had volume node affinity conflict, "
                f"{n - a - b} node(s) didn't match pod anti-affinity rules. "
                f"preemption: 0/{n} nodes are available: {n} No preemption victims found for incoming pod.",
            )
        )
        del raw["spec"]["nodeName"]
        raw["status"] = {
            "conditions": [_condition("PodScheduled", "False", created, "Unschedulable", message)],
            "phase": "Pending",
            "qosClass": "Burstable",
        }
        attempts = self.rng.randint(2, 40)
        pod.events.append(self._scheduler_event(pod, "FailedScheduling", message, created, attempts))

    def _state_readiness_failure(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        status["ready"] = False
        started = _parse(status["state"]["running"]["startedAt"])
        self._set_not_ready(pod, started + timedelta(seconds=20), [spec["name"]])
        ip = pod.raw["status"]["podIP"]
        port = spec["ports"][0]["containerPort"]
        message = self.rng.choice(
            (
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                f'Readiness probe failed: Get "http://{ip}:{port}/ready": dial tcp {ip}:{port}: connect: '
                "connection refused",
                f'Readiness probe failed: Get "http://{ip}:{port}/ready": context deadline exceeded '
                "(Client.Timeout exceeded while awaiting headers)",
            )
        )
        count = self.rng.randint(10, 700)
        pod.events.append(
            self._event(
                pod,
                "Unhealthy",
                message,
                f"spec.containers{{{spec['name']}}}",
                warning=True,
                count=count,
                first=started,
                last=CAPTURED_AT - timedelta(seconds=self.rng.randint(1, 10)),
            )
        )

    def _state_liveness_failure(self, pod: GeneratedPod) -> None:
        spec, status = self._app(pod)
        restarts = self.rng.randint(2, 80)
        finished = self._ago(timedelta(seconds=20), timedelta(minutes=8))
        status["restartCount"] = restarts
        status["lastState"] = k8s.terminated_state(
            status["containerID"],
            "Error",
            self.rng.choice((137, 143)),
            finished - timedelta(minutes=2),
            finished,
        )
        path = f"spec.containers{{{spec['name']}}}"
        first = _parse(pod.raw["metadata"]["creationTimestamp"])
        ip = pod.raw["status"]["podIP"]
        port = spec["ports"][0]["containerPort"]
        if self._p(0.5):
            status.update(ready=False, started=False)
            status["state"] = k8s.crash_loop_state(spec["name"], *_ident(pod.raw), "1m20s")
            self._set_not_ready(pod, finished, [spec["name"]])
        else:
            status["state"] = {"running": {"startedAt": _ts(finished + timedelta(seconds=1))}}
        pod.events += [
            self._event(
                pod,
                "Unhealthy",
                f'Liveness probe failed: Get "http://{ip}:{port}/healthz": context '
                "deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                path,
                warning=True,
                count=restarts * 3,
                first=first,
                last=finished - timedelta(seconds=1),
            ),
            self._event(
                pod,
                "Killing",
                f"Container {spec['name']} failed liveness probe, will be restarted",
                path,
                count=restarts,
                first=first,
                last=finished - timedelta(seconds=1),
            ),
        ]

    def _state_evicted(self, pod: GeneratedPod) -> None:
        spec = pod.raw["spec"]["containers"][0]
        raw = pod.raw
        when = self._ago(timedelta(minutes=2), timedelta(hours=30))
        resource = self.rng.choice(("memory", "memory", "ephemeral-storage"))
        if resource == "memory":
            message = (
                f"The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                f"{self.rng.randint(20_000, 99_000)}Ki. Container {spec['name']} was using "
                f"{self.rng.randint(600_000, 3_000_000)}Ki, "
                f"request is {spec['resources']['requests']['memory']}, has larger consumption of memory. "
            )
        else:
            message = (
                "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, "
                f"available: 8123456Ki. Container {spec['name']} was using 14Gi, request is 0, "
                "has larger consumption of ephemeral-storage. "
            )
        pressure = "memory_pressure" if resource == "memory" else "disk_pressure"
        pressured = [n for n, s in self.node_states.items() if s == pressure]
        if pressured:  # evicted by the kubelet of a node that still reports the pressure
            node = self.rng.choice(pressured)
            raw["spec"]["nodeName"] = node
            raw["status"]["hostIP"] = self.node_ips[node]
            raw["status"]["hostIPs"] = [{"ip": self.node_ips[node]}]
        status = raw["status"]
        status.update(phase="Failed", reason="Evicted", message=message)
        status["conditions"] = [
            _condition("DisruptionTarget", "True", when, "TerminationByKubelet", message.strip()),
            _condition("PodReadyToStartContainers", "False", when),
            _condition("Initialized", "True", _parse(raw["metadata"]["creationTimestamp"])),
            _condition("Ready", "False", when, "PodFailed"),
            _condition("ContainersReady", "False", when, "PodFailed"),
            _condition("PodScheduled", "True", _parse(raw["metadata"]["creationTimestamp"])),
        ]
        for c in status["containerStatuses"]:
            c.update(ready=False, started=False)
            c["state"] = {
                "terminated": {
                    "exitCode": 137,
                    "finishedAt": None,
                    "message": "The container could not be located when the pod was terminated",
                    "reason": "ContainerStatusUnknown",
                    "startedAt": None,
                }
            }
        if CAPTURED_AT - when < timedelta(hours=1):
            path = f"spec.containers{{{spec['name']}}}"
            pod.events += [
                self._event(pod, "Evicted", message, None, warning=True, first=when, last=when),
                self._event(
                    pod, "Killing", f"Stopping container {spec['name']}", path, first=when, last=when
                ),
            ]

    def _state_init_failure(self, pod: GeneratedPod) -> None:
        raw = pod.raw
        name, ns, uid = _ident(raw)
        spec = raw["spec"]
        token = spec["containers"][0]["volumeMounts"][-1]["name"]
        init = self._init_container(token)
        init.update(
            name="migrate-db", command=["/app/migrate", "--to=latest"], image=spec["containers"][0]["image"]
        )
        spec.setdefault("initContainers", [])
        spec["initContainers"] = [c for c in spec["initContainers"] if c["name"] == "istio-init"] + [init]
        created = _parse(raw["metadata"]["creationTimestamp"])
        finished = self._ago(timedelta(seconds=5), timedelta(minutes=5))
        restarts = self.rng.randint(3, 60)
        init_status = self._status_base(init, False, restarts, False)
        init_status["lastState"] = k8s.terminated_state(
            init_status["containerID"],
            "Error",
            self.rng.choice((1, 1, 2, 255)),
            finished - timedelta(seconds=4),
            finished,
        )
        init_status["state"] = k8s.crash_loop_state("migrate-db", *_ident(raw), "5m0s")
        status = raw["status"]
        status["initContainerStatuses"] = [
            s for s in status.get("initContainerStatuses", []) if s["name"] == "istio-init"
        ] + [init_status]
        for c in status["containerStatuses"]:
            del c["containerID"]
            c.update(imageID="", ready=False, started=False)
            c["state"] = {"waiting": {"reason": "PodInitializing"}}
        status["phase"] = "Pending"
        message = "containers with incomplete status: [migrate-db]"
        status["conditions"][1] = _condition(
            "Initialized", "False", created, "ContainersNotInitialized", message
        )
        self._set_not_ready(pod, created, [c["name"] for c in spec["containers"]], phase="Pending")
        pod.events.append(
            self._event(
                pod,
                "BackOff",
                f"Back-off restarting failed container migrate-db in pod {name}_{ns}({uid})",
                "spec.initContainers{migrate-db}",
                warning=True,
                count=restarts * 4,
                first=created,
                last=CAPTURED_AT - timedelta(seconds=3),
            )
        )

    def _state_completed(self, pod: GeneratedPod) -> None:
        self._finish_job_pod(pod, "Succeeded", "Completed", 0)

    def _state_job_failed(self, pod: GeneratedPod) -> None:
        self._finish_job_pod(pod, "Failed", "Error", self.rng.choice((1, 1, 2, 3)))

    def _finish_job_pod(self, pod: GeneratedPod, phase: str, reason: str, code: int) -> None:
        raw = pod.raw
        status = raw["status"]
        started = _parse(raw["metadata"]["creationTimestamp"]) + timedelta(seconds=3)
        finished = started + timedelta(seconds=self.rng.randint(5, 900))
        status["phase"] = phase
        cause = "PodCompleted" if phase == "Succeeded" else "PodFailed"
        for condition in status["conditions"]:
            if condition["type"] in ("Ready", "ContainersReady", "PodReadyToStartContainers"):
                condition.update(
                    _condition(
                        condition["type"],
                        "False",
                        finished,
                        cause if condition["type"] != "PodReadyToStartContainers" else None,
                    )
                )
        status["containerStatuses"] = [
            self._terminated_status(
                s,
                reason if s["name"] != "istio-proxy" else "Completed",
                code if s["name"] != "istio-proxy" else 0,
                started,
                finished,
            )
            for s in raw["spec"]["containers"]
        ]

    def _state_terminating_stuck(self, pod: GeneratedPod) -> None:
        spec = pod.raw["spec"]["containers"][0]
        meta = pod.raw["metadata"]
        recent = self._p(0.7)
        deleted = (
            self._ago(timedelta(minutes=10), timedelta(minutes=55))
            if recent
            else self._ago(timedelta(hours=2), timedelta(days=3))
        )
        meta["deletionGracePeriodSeconds"] = 30
        meta["deletionTimestamp"] = _ts(deleted + timedelta(seconds=30))
        if self._p(0.4):
            meta["finalizers"] = [self.rng.choice(("acme.io/drain-connections", "foregroundDeletion"))]
        if recent:
            pod.events.append(
                self._event(
                    pod,
                    "Killing",
                    f"Stopping container {spec['name']}",
                    f"spec.containers{{{spec['name']}}}",
                    first=deleted,
                    last=deleted,
                )
            )

    # ---- events

    def _event(
        self,
        pod: GeneratedPod,
        reason: str,
        message: str,
        field_path: str | None,
        *,
        warning: bool = False,
        count: int = 1,
        first: datetime | None = None,
        last: datetime | None = None,
    ) -> dict:
        """A kubelet event about `pod`, as `kubectl get events -o json` prints it (core/v1)."""
        name, ns, uid = _ident(pod.raw)
        last = last or CAPTURED_AT - timedelta(seconds=self.rng.randint(1, 3000))
        first = max(first or last, CAPTURED_AT - timedelta(hours=1)) if count > 1 else last
        first = min(first, last)
        version = pod.raw["metadata"]["resourceVersion"]
        return k8s.event(
            k8s.object_reference("Pod", name, ns, uid, version, field_path=field_path),
            reason,
            message,
            name=self._event_name(name, first),
            namespace=ns,
            first=first,
            last=last,
            resource_version=self._rv(),
            uid=self._uid(),
            count=count,
            warning=warning,
            host=pod.raw["spec"].get("nodeName", ""),
        )

    def _scheduler_event(
        self, pod: GeneratedPod, reason: str, message: str, first: datetime, count: int = 1
    ) -> dict:
        """An event of the scheduler (events.k8s.io/v1 written, read back as core/v1: eventTime, series)."""
        name, ns, uid = _ident(pod.raw)
        first = max(first, CAPTURED_AT - timedelta(hours=1))
        event = k8s.scheduler_event(
            k8s.object_reference("Pod", name, ns, uid, pod.raw["metadata"]["resourceVersion"]),
            reason,
            message,
            event_time=k8s.micro_timestamp(first, self.rng.randint(0, 999_999)),
            name=self._event_name(name, first),
            namespace=ns,
            at=first,
            resource_version=self._rv(),
            uid=self._uid(),
            instance="default-scheduler-gke-prod-eu1-control-plane",
        )
        if count > 1:
            last = CAPTURED_AT - timedelta(seconds=self.rng.randint(5, 300))
            event["series"] = {
                "count": count,
                "lastObservedTime": k8s.micro_timestamp(last, self.rng.randint(0, 999_999)),
            }
        return event

    def _event_name(self, subject: str, first: datetime) -> str:
        """The recorder's name for an event about `subject` first seen at `first`."""
        return k8s.event_name(subject, int(first.timestamp() * 1e9) + self.rng.randint(0, 10**9))

    def _node_event(
        self, node: str, reason: str, message: str, at: datetime, component: str = "kernel-monitor"
    ) -> dict:
        """An event about a node (a warning of the kernel monitor by default), stored in `default` as the
        API does; the node controller reports from no host."""
        return k8s.event(
            k8s.node_reference(node),
            reason,
            message,
            name=self._event_name(node, at),
            namespace="default",
            first=at,
            last=at,
            resource_version=self._rv(),
            uid=self._uid(),
            warning=not reason.startswith("Node"),
            component=component,
            host=node if component != "node-controller" else None,
        )

    def _node_state_events(self) -> list[dict]:
        """What the kubelet and the node controller said when a node came under pressure or went NotReady."""
        said = {
            "memory_pressure": ("NodeHasInsufficientMemory", "memory"),
            "disk_pressure": ("NodeHasDiskPressure", "ephemeral-storage"),
        }
        events = []
        for node, state in self.node_states.items():
            since = self.node_since.get(node)
            if since is None:
                continue
            if state == "not_ready":
                message = f"Node {node} status is now: NodeNotReady"
                events.append(self._node_event(node, "NodeNotReady", message, since, "node-controller"))
                continue
            status, resource = said[state]
            message = f"Node {node} status is now: {status}"
            events.append(self._node_event(node, status, message, since, "kubelet"))
            for minutes in range(0, 50, 10):
                at = since + timedelta(minutes=minutes, seconds=self.rng.randint(0, 59))
                if at < CAPTURED_AT:
                    message = f"Attempting to reclaim {resource}"
                    events.append(self._node_event(node, "EvictionThresholdMet", message, at, "kubelet"))
        return events

    def _lifecycle(self, pod: GeneratedPod) -> list[dict]:
        """Scheduled, then for pods whose containers did start: Pulling/Pulled, Created and Started of each.

        The states that never start their app container (or restart it) carry their own events instead.
        """
        raw = pod.raw
        created = _parse(raw["metadata"]["creationTimestamp"])
        node = raw["spec"]["nodeName"]
        name, ns, _ = _ident(raw)
        events = [
            self._scheduler_event(pod, "Scheduled", f"Successfully assigned {ns}/{name} to {node}", created)
        ]
        if pod.state not in LIFECYCLE_STATES:
            return events
        at = created + timedelta(seconds=1)
        for key in ("initContainers", "containers"):
            for c in raw["spec"].get(key, []):
                path = f"spec.{key}{{{c['name']}}}"
                if self._p(0.5):
                    message = f'Container image "{c["image"]}" already present on machine'
                    events.append(self._event(pod, "Pulled", message, path, first=at, last=at))
                else:
                    events.append(
                        self._event(pod, "Pulling", f'Pulling image "{c["image"]}"', path, first=at, last=at)
                    )
                    at += timedelta(seconds=self.rng.randint(1, 9))
                    message = (
                        f'Successfully pulled image "{c["image"]}" in {self.rng.uniform(0.5, 9):.3f}s '
                        f"({self.rng.uniform(0.5, 9):.3f}s including waiting). "
                        f"Image size: {self.rng.randint(20_000_000, 400_000_000)} bytes."
                    )
                    events.append(self._event(pod, "Pulled", message, path, first=at, last=at))
                events.append(
                    self._event(pod, "Created", f"Created container {c['name']}", path, first=at, last=at)
                )
                events.append(
                    self._event(pod, "Started", f"Started container {c['name']}", path, first=at, last=at)
                )
        return events

    def events(self, pods: list[GeneratedPod], count: int) -> list[dict]:
        """Exactly `count` events: every state's own events first, then lifecycle and readiness filler."""
        stories = chain(self._node_state_events(), (e for p in pods for e in p.events))
        recent = [p for p in pods if p.recent and p.raw["spec"].get("nodeName")]
        order = list(range(len(recent)))
        self.rng.shuffle(order)
        lifecycle = (e for i in order for e in self._lifecycle(recent[i]))
        events = list(islice(chain(stories, lifecycle, self._blips(pods)), count))
        events.sort(key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))  # the API's list order
        return events

    def _blips(self, pods: list[GeneratedPod]) -> Iterator[dict]:
        """Endless filler: single failed readiness checks of healthy pods (they recover: still healthy)."""
        healthy = [p for p in pods if p.state == "healthy"]
        while True:
            pod = self.rng.choice(healthy)
            spec = pod.raw["spec"]["containers"][0]
            yield self._event(
                pod,
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                f"spec.containers{{{spec['name']}}}",
                warning=True,
            )


def _spread(total: int, weights: list[int]) -> list[int]:
    """Positive integers proportional to `weights` that add up to `total` (at least one each)."""
    extra = total - len(weights)
    shares = [extra * w / sum(weights) for w in weights]
    sizes = [1 + int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _ident(raw: dict) -> tuple[str, str, str]:
    meta = raw["metadata"]
    return meta["name"], meta["namespace"], meta["uid"]
