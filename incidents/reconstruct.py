"""Reconstruct the shipped incident bundle ``incidents/oom-drill/`` (format ``incident-bundle/v1``).

The bundle is the deployment runbook's validation run on the three-node kubeadm lab cluster
(``kubemaster``, ``kubeworker1``, ``kubeworker2``; Kubernetes v1.28.15, Calico, kube-prometheus-stack):
the four services in ``apps`` are healthy, and the OOM drill in ``default`` (Deployment ``oom-test``,
``stress --vm-bytes 300M`` against a 256Mi limit) sits in CrashLoopBackOff after four OOM kills.

It is reconstructed, not captured. The figures come from the runbook's validation output (node list,
pod list with 0 restarts, about 1m CPU and 27Mi memory per apps pod, 256Mi limits, the drill in
CrashLoopBackOff after 4 OOM kills); every object, event, log line and metric sample around them is
written here, in the shape the Kubernetes API, ``kubectl`` and the Prometheus HTTP API produce.

Everything is deterministic: identifiers are derived from hashes of object names, and metric noise
comes from seeded ``random.Random`` instances, so rerunning gives byte-identical files.

Rerun from the repository root, with the project installed (the PromQL comes from its catalogue):

    python incidents/reconstruct.py
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/, at the repository root

from incident_lib.metrics.catalogue import promql
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, container_port, parse_timestamp, resources, timestamp
from tools.prometheus_responses import matrix_series, range_response

BUNDLE = Path(__file__).resolve().parent / "oom-drill"

CAPTURED_AT = datetime(2025, 12, 17, 10, 5, 0, tzinfo=UTC)
WINDOW_START = datetime(2025, 12, 17, 9, 35, 0, tzinfo=UTC)
WINDOW_END = CAPTURED_AT
STEP = 15
KUBE_VERSION = "v1.28.15"
CALICO = "v3.28.2"
MI = 1024 * 1024

# The OOM drill: each instance of container `app` runs from start to kill; the kubelet's crash-loop
# back-off (10s, 20s, 40s, 80s) separates the kills from the next start. The 4th back-off (1m20s)
# outlasts the capture, so the container is waiting in CrashLoopBackOff with restartCount 4.
OOM_NS = "default"
OOM_DEPLOY = "oom-test"
OOM_RS = "oom-test-7f77d89c59"
OOM_POD = "oom-test-7f77d89c59-vqgkt"
OOM_NODE = "kubeworker2"
OOM_LIMIT = 256 * MI
OOM_CREATED = datetime(2025, 12, 17, 9, 55, 0, tzinfo=UTC)
OOM_RUNS = [  # (started, OOM-killed)
    (datetime(2025, 12, 17, 9, 55, 8, tzinfo=UTC), datetime(2025, 12, 17, 9, 56, 32, tzinfo=UTC)),
    (datetime(2025, 12, 17, 9, 56, 43, tzinfo=UTC), datetime(2025, 12, 17, 9, 58, 41, tzinfo=UTC)),
    (datetime(2025, 12, 17, 9, 59, 2, tzinfo=UTC), datetime(2025, 12, 17, 10, 0, 53, tzinfo=UTC)),
    (datetime(2025, 12, 17, 10, 1, 34, tzinfo=UTC), datetime(2025, 12, 17, 10, 3, 47, tzinfo=UTC)),
]
OOM_HOST_PIDS = [11872, 12031, 12190, 12345]

APPS = ["backend-api", "orders-service", "payments-service", "users-service"]
APPS_NODES = {
    "backend-api": "kubeworker1",
    "orders-service": "kubeworker1",
    "payments-service": "kubeworker2",
    "users-service": "kubeworker2",
}
APPS_CREATED = datetime(2025, 12, 17, 9, 19, 50, tzinfo=UTC)
APPS_MEMORY = 28311552  # 27Mi, the runbook's `kubectl top pods` figure

NODES: dict[str, Obj] = {
    "kubemaster": {
        "ip": "192.168.56.10",
        "cidr": "10.244.0.0/24",
        "tunnel": "10.244.141.128",
        "created": datetime(2025, 12, 14, 8, 2, 11, tzinfo=UTC),
        "memory": 4025852,
    },
    "kubeworker1": {
        "ip": "192.168.56.11",
        "cidr": "10.244.1.0/24",
        "tunnel": "10.244.221.64",
        "created": datetime(2025, 12, 14, 8, 19, 40, tzinfo=UTC),
        "memory": 4025848,
    },
    "kubeworker2": {
        "ip": "192.168.56.12",
        "cidr": "10.244.2.0/24",
        "tunnel": "10.244.49.192",
        "created": datetime(2025, 12, 14, 8, 20, 5, tzinfo=UTC),
        "memory": 4025852,
    },
}
CLUSTER_BIRTH = NODES["kubemaster"]["created"]
CALICO_CREATED = CLUSTER_BIRTH + timedelta(minutes=3)  # kube-system's Calico objects, applied after kubeadm
SAFE = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of generated name suffixes


# ---------------------------------------------------------------- identifiers and times


def digest(*parts: str) -> str:
    """Return a stable 64-hex-digit digest of `parts` (stands in for container ids and image digests)."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def uid(*parts: str) -> str:
    """Return a stable version-4 UUID for the object named by `parts`."""
    return str(uuid.UUID(hex=digest("uid", *parts)[:32], version=4))


def suffix(length: int, *parts: str) -> str:
    """Return a stable generated-name suffix (pod-template hash, pod suffix) of `length` safe chars."""
    raw = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(SAFE[b % len(SAFE)] for b in raw[:length])


def rv(t: datetime, *parts: str) -> str:
    """Return a resourceVersion that grows with the time `t` of the object's last change."""
    seconds = int((t - CLUSTER_BIRTH).total_seconds())
    return str(210 + seconds // 3 + int(digest("rv", *parts)[:2], 16) % 3)


def full_image(image: str) -> str:
    """Return the image reference as containerd reports it in containerStatuses[].image."""
    first = image.split("/")[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{image}"
    return image


def image_id(image: str) -> str:
    """Return the repo digest containerd reports in containerStatuses[].imageID."""
    repo = full_image(image).rsplit(":", 1)[0]
    return f"{repo}@sha256:{digest('image', full_image(image))}"


# ---------------------------------------------------------------- pod specs


def probe(kind: str, target: Any, **timing: int) -> Obj:
    """Return a defaulted probe: `kind` is httpGet (target (path, port)) or exec (target command)."""
    handler: Obj
    if kind == "httpGet":
        path, port = target
        handler = {"httpGet": {"path": path, "port": port, "scheme": "HTTP"}}
    else:
        handler = {"exec": {"command": list(target)}}
    return {
        **handler,
        "failureThreshold": timing.get("failureThreshold", 3),
        **({"initialDelaySeconds": timing["initialDelaySeconds"]} if "initialDelaySeconds" in timing else {}),
        "periodSeconds": timing.get("periodSeconds", 10),
        "successThreshold": 1,
        "timeoutSeconds": timing.get("timeoutSeconds", 1),
    }


def defaulted(container: Obj) -> Obj:
    """Return `container` with the fields the API server defaults (pull policy, termination message)."""
    out = dict(container)
    tag = out["image"].rsplit("/", 1)[-1]
    out.setdefault(
        "imagePullPolicy", "Always" if ":" not in tag or tag.endswith(":latest") else "IfNotPresent"
    )
    out.setdefault("resources", {})
    out.setdefault("terminationMessagePath", "/dev/termination-log")
    out.setdefault("terminationMessagePolicy", "File")
    return out


def qos_class(containers: list[Obj]) -> str:
    """Return the pod's QoS class the way the API server derives it from requests and limits."""
    res = [c.get("resources", {}) for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in res):
        return "BestEffort"
    guaranteed = all(
        set(r.get("limits", {})) >= {"cpu", "memory"}
        and all(
            r.get("requests", r["limits"]).get(k, r["limits"][k]) == r["limits"][k] for k in ("cpu", "memory")
        )
        for r in res
    )
    return "Guaranteed" if guaranteed else "Burstable"


DS_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/network-unavailable", "operator": "Exists"},
]


def template_spec(containers: list[Obj], **extra: Any) -> Obj:
    """Return a defaulted pod template spec (what a Deployment/DaemonSet stores)."""
    spec: Obj = {
        "containers": [defaulted(c) for c in containers],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
    }
    if "initContainers" in extra:
        extra["initContainers"] = [defaulted(c) for c in extra["initContainers"]]
    spec.update(extra)
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    return spec


def sa_volume(pod_name: str) -> tuple[Obj, Obj]:
    """Return the projected service-account token volume the API server adds, and its mount."""
    name = f"kube-api-access-{suffix(5, 'sa', pod_name)}"
    return k8s.service_account_token_volume(name), k8s.service_account_token_mount(name)


# ---------------------------------------------------------------- pods


class IPs:
    """Hands out pod IPs from each node's Calico block, in creation order."""

    def __init__(self) -> None:
        self.next = {n: 1 for n in NODES}

    def take(self, node: str) -> str:
        a, b, c, d = NODES[node]["tunnel"].split(".")
        ip = f"{a}.{b}.{c}.{int(d) + self.next[node]}"
        self.next[node] += 1
        return ip


def container_id(pod: str, container: str, instance: int = 0) -> str:
    """The id containerd gives the `instance`th run of `container` in `pod`."""
    return f"containerd://{digest('container', pod, container, str(instance))}"


def container_status(container: Obj, cid: str, state: Obj, **fields: Any) -> Obj:
    """The status of `container` (its spec) in `state`, for the run `cid`."""
    image = container["image"]
    return k8s.container_status(container["name"], full_image(image), image_id(image), cid, state, **fields)


def running_status(pod: str, container: Obj, started: datetime) -> Obj:
    """A container running and ready since `started`, never restarted."""
    return container_status(
        container, container_id(pod, container["name"]), k8s.running_state(started), ready=True, started=True
    )


def completed_init_status(pod: str, container: Obj, started: datetime, finished: datetime) -> Obj:
    """An init container that ran from `started` to `finished` and exited 0."""
    cid = container_id(pod, container["name"])
    state = k8s.terminated_state(cid, "Completed", 0, started, finished)
    return container_status(container, cid, state, ready=True, started=False)


def bound_spec(spec: Obj, name: str, node: str, owner_kind: str) -> Obj:
    """The pod spec of pod `name` made from a template `spec`: bound to `node`, with what admission adds
    (defaults, the service-account token unless a node owns it, a DaemonSet's node affinity)."""
    spec = json.loads(json.dumps(spec))
    spec["nodeName"] = node
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("tolerations", k8s.not_ready_tolerations())
    if owner_kind != "Node" and spec.get("automountServiceAccountToken") is not False:
        volume, mount = sa_volume(name)
        spec["volumes"] = [*spec.get("volumes", []), volume]
        for c in spec["containers"] + spec.get("initContainers", []):
            c["volumeMounts"] = [*c.get("volumeMounts", []), mount]
    if owner_kind == "DaemonSet":
        term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
        spec["affinity"] = {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}
        }
    return spec


def init_statuses(pod: str, init: list[Obj], started: datetime) -> list[Obj]:
    """The init containers, run one after another from `started`, each for a second, 2 s apart."""
    return [
        completed_init_status(
            pod, c, started + timedelta(seconds=2 * i), started + timedelta(seconds=2 * i + 1)
        )
        for i, c in enumerate(init)
    ]


def healthy_conditions(created: datetime, initialized: datetime, ready: datetime) -> list[Obj]:
    """A scheduled, initialized, ready pod's conditions."""
    return [
        k8s.pod_condition("Initialized", "True", initialized),
        k8s.pod_condition("Ready", "True", ready),
        k8s.pod_condition("ContainersReady", "True", ready),
        k8s.pod_condition("PodScheduled", "True", created),
    ]


def make_pod(
    namespace: str,
    name: str,
    *,
    labels: Obj,
    owner: Obj,
    node: str,
    spec: Obj,
    created: datetime,
    started: datetime,
    ip: str,
    annotations: Obj | None = None,
    generate_name: str | None = None,
    statuses: list[Obj] | None = None,
    conditions: list[Obj] | None = None,
    changed: datetime | None = None,
) -> Obj:
    """Return a Pod as the API serves it: the template spec bound to `node`, with a running status.

    `statuses`/`conditions` override the healthy defaults (all containers running and ready since
    `started`); `changed` is the time of the last status change (for the resourceVersion).
    """
    spec = bound_spec(spec, name, node, owner["kind"])
    init = init_statuses(name, spec.get("initContainers", []), started)
    init_done = started + timedelta(seconds=2 * len(init) - 1) if init else started
    if statuses is None:
        statuses = [running_status(name, c, init_done + timedelta(seconds=1)) for c in spec["containers"]]
    ready_at = init_done + timedelta(seconds=8)
    if conditions is None:
        conditions = healthy_conditions(created, init_done if init else min(created, started), ready_at)
    optional = {"annotations": annotations, "generateName": generate_name}
    metadata = k8s.object_meta(
        name,
        namespace,
        created,
        labels=labels,
        ownerReferences=[owner],
        resource_version=rv(changed or ready_at, "Pod", namespace, name),
        uid=uid("Pod", namespace, name),
        **{key: value for key, value in optional.items() if value},
    )
    status = k8s.pod_status(
        conditions,
        sorted(statuses, key=lambda s: s["name"]),
        host_ip=NODES[node]["ip"],
        pod_ip=ip,
        qos_class=qos_class(spec["containers"]),
        started=created if owner["kind"] != "Node" else started,
    )
    if init:
        status["initContainerStatuses"] = init
    return k8s.pod(metadata, spec, status)


def owner_ref(kind: str, name: str, namespace: str) -> Obj:
    """The controller reference of the `kind` `name` in `namespace`."""
    return k8s.owner_reference(kind, name, uid(kind, namespace, name))


# ---------------------------------------------------------------- workloads


def last_applied(obj: Obj) -> str:
    """Return the `kubectl.kubernetes.io/last-applied-configuration` annotation kubectl apply writes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n"


def unavailable_status(created: datetime, rs_name: str) -> tuple[Obj, Obj]:
    """A one-replica Deployment's and its ReplicaSet's status while the replica is down (since the
    OOM drill's last kill)."""
    down = OOM_RUNS[-1][1]
    conditions = [
        k8s.deployment_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            down,
        ),
        progressing(rs_name, created, OOM_RUNS[0][0]),
    ]
    status = {
        "conditions": conditions,
        "observedGeneration": 1,
        "replicas": 1,
        "unavailableReplicas": 1,
        "updatedReplicas": 1,
    }
    return status, {"fullyLabeledReplicas": 1, "observedGeneration": 1, "replicas": 1}


def available_status(created: datetime, rs_name: str, available: datetime) -> tuple[Obj, Obj]:
    """A one-replica Deployment's and its ReplicaSet's status with the replica available since
    `available`."""
    conditions = [
        k8s.deployment_condition(
            "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", available
        ),
        progressing(rs_name, created, available),
    ]
    status = {
        "availableReplicas": 1,
        "conditions": conditions,
        "observedGeneration": 1,
        "readyReplicas": 1,
        "replicas": 1,
        "updatedReplicas": 1,
    }
    counts = {"availableReplicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "replicas": 1}
    return status, {**counts, "observedGeneration": 1}


def progressing(rs_name: str, created: datetime, updated: datetime) -> Obj:
    """The Progressing condition of a Deployment whose only ReplicaSet `rs_name` rolled out."""
    message = f'ReplicaSet "{rs_name}" has successfully progressed.'
    return k8s.deployment_condition(
        "Progressing", "True", "NewReplicaSetAvailable", message, created, updated
    )


def deployment(
    namespace: str,
    name: str,
    *,
    labels: Obj,
    selector: Obj,
    pod_labels: Obj,
    spec: Obj,
    created: datetime,
    rs_hash: str,
    available: datetime | None,
    annotations: Obj | None = None,
    applied: Obj | None = None,
) -> tuple[Obj, Obj]:
    """Return a Deployment with one replica and its ReplicaSet.

    `available` is when the replica last became available, or None when it is unavailable now.
    """
    rs_name = f"{name}-{rs_hash}"
    annotations = {"deployment.kubernetes.io/revision": "1", **(annotations or {})}
    if applied is not None:
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = last_applied(applied)
    if available is None:
        status, rs_status = unavailable_status(created, rs_name)
        changed = OOM_RUNS[-1][1]
    else:
        status, rs_status = available_status(created, rs_name, available)
        changed = available
    metadata = k8s.object_meta(
        name,
        namespace,
        created,
        annotations=annotations,
        generation=1,
        labels=labels,
        resource_version=rv(changed, "Deployment", namespace, name),
        uid=uid("Deployment", namespace, name),
    )
    deploy = k8s.deployment(metadata, 1, selector, k8s.pod_template(pod_labels, spec), status)
    rs_labels = {**pod_labels, "pod-template-hash": rs_hash}
    rs_metadata = k8s.object_meta(
        rs_name,
        namespace,
        created,
        annotations={
            "deployment.kubernetes.io/desired-replicas": "1",
            "deployment.kubernetes.io/max-replicas": "2",
            "deployment.kubernetes.io/revision": "1",
        },
        generation=1,
        labels=rs_labels,
        ownerReferences=[owner_ref("Deployment", name, namespace)],
        resource_version=rv(changed, "ReplicaSet", namespace, rs_name),
        uid=uid("ReplicaSet", namespace, rs_name),
    )
    rs_selector = {**selector, "pod-template-hash": rs_hash}
    rs = k8s.replica_set(rs_metadata, 1, rs_selector, k8s.pod_template(rs_labels, spec), rs_status)
    return deploy, rs


def daemonset(
    namespace: str,
    name: str,
    *,
    labels: Obj,
    selector: Obj,
    pod_labels: Obj,
    spec: Obj,
    created: datetime,
    annotations: Obj | None = None,
) -> Obj:
    """Return a DaemonSet with a pod ready on each of the three nodes."""
    ready = max(n["created"] for n in NODES.values()) + timedelta(minutes=2)
    metadata = k8s.object_meta(
        name,
        namespace,
        created,
        annotations={"deprecated.daemonset.template.generation": "1", **(annotations or {})},
        generation=1,
        labels=labels,
        resource_version=rv(max(ready, created + timedelta(minutes=1)), "DaemonSet", namespace, name),
        uid=uid("DaemonSet", namespace, name),
    )
    counts = ("currentNumberScheduled", "desiredNumberScheduled", "numberAvailable")
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": metadata,
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": selector},
            "template": k8s.pod_template(pod_labels, spec),
            "updateStrategy": {
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
                "type": "RollingUpdate",
            },
        },
        "status": {
            **dict.fromkeys(counts, 3),
            "numberMisscheduled": 0,
            "numberReady": 3,
            "observedGeneration": 1,
            "updatedNumberScheduled": 3,
        },
    }


def daemonset_pods(ips: IPs, ds: Obj, *, host_network: bool, started: datetime | None = None) -> list[Obj]:
    """Return one pod of `ds` per node, started when the DaemonSet (or, later, the node) appeared."""
    meta = ds["metadata"]
    revision = suffix(10, "controller-revision", meta["namespace"], meta["name"])
    pods = []
    for node, info in NODES.items():
        created = max(
            info["created"] + timedelta(seconds=5),
            started or parse_timestamp(meta["creationTimestamp"]),
        )
        name = f"{meta['name']}-{suffix(5, 'pod', meta['name'], node)}"
        labels = {
            **ds["spec"]["template"]["metadata"]["labels"],
            "controller-revision-hash": revision,
            "pod-template-generation": "1",
        }
        pods.append(
            make_pod(
                meta["namespace"],
                name,
                labels=labels,
                owner=owner_ref("DaemonSet", meta["name"], meta["namespace"]),
                node=node,
                spec=ds["spec"]["template"]["spec"],
                created=created,
                started=created + timedelta(seconds=2),
                generate_name=f"{meta['name']}-",
                ip=info["ip"] if host_network else ips.take(node),
            )
        )
    return pods


def replica_pod(ips: IPs, rs: Obj, node: str, created: datetime, **kw: Any) -> Obj:
    """Return the single pod of ReplicaSet `rs`, on `node`."""
    meta = rs["metadata"]
    name = kw.pop("name", None) or f"{meta['name']}-{suffix(5, 'pod', meta['name'])}"
    return make_pod(
        meta["namespace"],
        name,
        labels=rs["spec"]["template"]["metadata"]["labels"],
        owner=owner_ref("ReplicaSet", meta["name"], meta["namespace"]),
        node=node,
        spec=rs["spec"]["template"]["spec"],
        created=created,
        generate_name=f"{meta['name']}-",
        ip=ips.take(node),
        **{"started": created + timedelta(seconds=3), **kw},
    )


# ---------------------------------------------------------------- kube-system


def static_pod(
    component: str,
    image: str,
    command: list[str],
    cpu: str,
    probe_port: int,
    path: str,
    extra_labels: Obj | None = None,
    annotations: Obj | None = None,
    memory: str | None = None,
) -> Obj:
    """Return the mirror pod of a kubeadm control-plane static pod on kubemaster."""
    name = f"{component}-kubemaster"
    created = CLUSTER_BIRTH + timedelta(seconds=8)
    host = "192.168.56.10" if component == "kube-apiserver" else "127.0.0.1"
    container = {
        "command": command,
        "image": image,
        "livenessProbe": probe(
            "httpGet", (path, probe_port), failureThreshold=8, initialDelaySeconds=10, timeoutSeconds=15
        ),
        "name": component,
        "resources": resources({"cpu": cpu, **({"memory": memory} if memory else {})}),
        "startupProbe": probe(
            "httpGet", (path, probe_port), failureThreshold=24, initialDelaySeconds=10, timeoutSeconds=15
        ),
        "volumeMounts": [{"mountPath": "/etc/kubernetes/pki", "name": "k8s-certs", "readOnly": True}],
    }
    for key in ("livenessProbe", "startupProbe"):
        container[key]["httpGet"]["host"] = host
        if component == "kube-apiserver":
            container[key]["httpGet"]["scheme"] = "HTTPS"
    config_hash = digest("config", component)[:32]
    spec = template_spec(
        [container],
        hostNetwork=True,
        priority=2000001000,
        priorityClassName="system-node-critical",
        securityContext={"seccompProfile": {"type": "RuntimeDefault"}},
        tolerations=[{"effect": "NoExecute", "operator": "Exists"}],
        volumes=[
            {"hostPath": {"path": "/etc/kubernetes/pki", "type": "DirectoryOrCreate"}, "name": "k8s-certs"}
        ],
    )
    spec["serviceAccountName"] = ""
    pod = make_pod(
        "kube-system",
        name,
        labels={"component": component, "tier": "control-plane", **(extra_labels or {})},
        owner={
            "apiVersion": "v1",
            "controller": True,
            "kind": "Node",
            "name": "kubemaster",
            "uid": uid("Node", "", "kubemaster"),
        },
        node="kubemaster",
        spec=spec,
        created=created,
        started=CLUSTER_BIRTH - timedelta(seconds=20),
        ip=NODES["kubemaster"]["ip"],
        annotations={
            "kubernetes.io/config.hash": config_hash,
            "kubernetes.io/config.mirror": config_hash,
            "kubernetes.io/config.seen": "2025-12-14T08:01:49.118402377Z",
            "kubernetes.io/config.source": "file",
            **(annotations or {}),
        },
    )
    del pod["spec"]["serviceAccountName"], pod["spec"]["serviceAccount"]
    pod["spec"]["enableServiceLinks"] = True
    return pod


def kube_system(ips: IPs) -> list[Obj]:
    """Return the kube-system workloads and pods: control plane, kube-proxy, Calico, CoreDNS."""
    objects = control_plane()
    for ds in (kube_proxy(), calico_node()):
        objects += [ds, *daemonset_pods(ips, ds, host_network=True)]
        for pod in objects[-3:]:
            pod["spec"]["tolerations"] = ds["spec"]["template"]["spec"]["tolerations"] + DS_TOLERATIONS
            pod["spec"]["dnsPolicy"] = "ClusterFirst"
    return [*objects, *calico_kube_controllers(ips), *coredns(ips)]


def control_plane() -> list[Obj]:
    """The mirror pods of kubeadm's static control-plane pods on kubemaster."""
    pods = [
        static_pod(
            "etcd",
            "registry.k8s.io/etcd:3.5.15-0",
            [
                "etcd",
                "--advertise-client-urls=https://192.168.56.10:2379",
                "--data-dir=/var/lib/etcd",
                "--listen-client-urls=https://127.0.0.1:2379,https://192.168.56.10:2379",
                "--listen-metrics-urls=http://127.0.0.1:2381",
                "--name=kubemaster",
            ],
            "100m",
            2381,
            "/health?exclude=NOSPACE&serializable=true",
            memory="100Mi",
            annotations={"kubeadm.kubernetes.io/etcd.advertise-client-urls": "https://192.168.56.10:2379"},
        ),
        static_pod(
            "kube-apiserver",
            f"registry.k8s.io/kube-apiserver:{KUBE_VERSION}",
            [
                "kube-apiserver",
                "--advertise-address=192.168.56.10",
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction",
                "--etcd-servers=https://127.0.0.1:2379",
                "--secure-port=6443",
                "--service-cluster-ip-range=10.96.0.0/12",
            ],
            "250m",
            6443,
            "/livez",
            annotations={
                "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "192.168.56.10:6443"
            },
        ),
        static_pod(
            "kube-controller-manager",
            f"registry.k8s.io/kube-controller-manager:{KUBE_VERSION}",
            [
                "kube-controller-manager",
                "--allocate-node-cidrs=true",
                "--cluster-cidr=10.244.0.0/16",
                "--cluster-name=kubernetes",
                "--leader-elect=true",
                "--use-service-account-credentials=true",
            ],
            "200m",
            10257,
            "/healthz",
        ),
        static_pod(
            "kube-scheduler",
            f"registry.k8s.io/kube-scheduler:{KUBE_VERSION}",
            [
                "kube-scheduler",
                "--bind-address=127.0.0.1",
                "--kubeconfig=/etc/kubernetes/scheduler.conf",
                "--leader-elect=true",
            ],
            "100m",
            10259,
            "/healthz",
        ),
    ]
    for pod in pods:
        for key in ("livenessProbe", "startupProbe"):
            http = pod["spec"]["containers"][0][key]["httpGet"]
            http["scheme"] = "HTTPS" if http["port"] in (6443, 10257, 10259) else "HTTP"
    return pods


def kube_proxy() -> Obj:
    """kubeadm's kube-proxy DaemonSet."""
    proxy = daemonset(
        "kube-system",
        "kube-proxy",
        labels={"k8s-app": "kube-proxy"},
        selector={"k8s-app": "kube-proxy"},
        pod_labels={"k8s-app": "kube-proxy"},
        created=CLUSTER_BIRTH + timedelta(seconds=14),
        spec=template_spec(
            [
                {
                    "command": [
                        "/usr/local/bin/kube-proxy",
                        "--config=/var/lib/kube-proxy/config.conf",
                        "--hostname-override=$(NODE_NAME)",
                    ],
                    "env": [
                        {
                            "name": "NODE_NAME",
                            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
                        }
                    ],
                    "image": f"registry.k8s.io/kube-proxy:{KUBE_VERSION}",
                    "name": "kube-proxy",
                    "securityContext": {"privileged": True},
                }
            ],
            hostNetwork=True,
            nodeSelector={"kubernetes.io/os": "linux"},
            priorityClassName="system-node-critical",
            serviceAccountName="kube-proxy",
            tolerations=[{"operator": "Exists"}],
        ),
    )
    proxy["spec"]["template"]["spec"]["priority"] = 2000001000
    return proxy


def calico_node() -> Obj:
    """Calico's node agent DaemonSet (the CNI)."""
    calico_env = [
        {"name": "CALICO_IPV4POOL_CIDR", "value": "10.244.0.0/16"},
        {"name": "CALICO_IPV4POOL_IPIP", "value": "Always"},
        {"name": "CLUSTER_TYPE", "value": "k8s,bgp"},
        {"name": "DATASTORE_TYPE", "value": "kubernetes"},
        {"name": "IP", "value": "autodetect"},
        {"name": "IP_AUTODETECTION_METHOD", "value": "interface=enp0s8"},
        {"name": "NODENAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
    ]
    calico_labels = {"k8s-app": "calico-node"}
    calico = daemonset(
        "kube-system",
        "calico-node",
        labels=calico_labels,
        selector=calico_labels,
        pod_labels=calico_labels,
        created=CALICO_CREATED,
        spec=template_spec(
            [
                {
                    "env": calico_env,
                    "image": f"docker.io/calico/node:{CALICO}",
                    "name": "calico-node",
                    "livenessProbe": probe(
                        "exec",
                        ["/bin/calico-node", "-felix-live", "-bird-live"],
                        failureThreshold=6,
                        initialDelaySeconds=10,
                        timeoutSeconds=10,
                    ),
                    "readinessProbe": probe(
                        "exec", ["/bin/calico-node", "-felix-ready", "-bird-ready"], timeoutSeconds=10
                    ),
                    "resources": resources({"cpu": "250m"}),
                    "securityContext": {"privileged": True},
                }
            ],
            initContainers=[
                {
                    "command": ["/opt/cni/bin/calico-ipam", "-upgrade"],
                    "image": f"docker.io/calico/cni:{CALICO}",
                    "name": "upgrade-ipam",
                    "securityContext": {"privileged": True},
                },
                {
                    "command": ["/opt/cni/bin/install"],
                    "image": f"docker.io/calico/cni:{CALICO}",
                    "name": "install-cni",
                    "securityContext": {"privileged": True},
                },
                {
                    "command": ["calico-node", "-init", "-best-effort"],
                    "image": f"docker.io/calico/node:{CALICO}",
                    "name": "mount-bpffs",
                    "securityContext": {"privileged": True},
                },
            ],
            hostNetwork=True,
            nodeSelector={"kubernetes.io/os": "linux"},
            priorityClassName="system-node-critical",
            serviceAccountName="calico-node",
            terminationGracePeriodSeconds=0,
            tolerations=[
                {"effect": "NoSchedule", "operator": "Exists"},
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"effect": "NoExecute", "operator": "Exists"},
            ],
        ),
    )
    calico["spec"]["template"]["spec"]["priority"] = 2000001000
    return calico


def calico_kube_controllers(ips: IPs) -> list[Obj]:
    """Calico's controllers: Deployment, ReplicaSet and pod on kubemaster."""
    kc_labels = {"k8s-app": "calico-kube-controllers"}
    kc_spec = template_spec(
        [
            {
                "env": [
                    {"name": "DATASTORE_TYPE", "value": "kubernetes"},
                    {"name": "ENABLED_CONTROLLERS", "value": "node"},
                ],
                "image": f"docker.io/calico/kube-controllers:{CALICO}",
                "name": "calico-kube-controllers",
                "livenessProbe": probe(
                    "exec",
                    ["/usr/bin/check-status", "-l"],
                    failureThreshold=6,
                    initialDelaySeconds=10,
                    timeoutSeconds=10,
                ),
                "readinessProbe": probe("exec", ["/usr/bin/check-status", "-r"]),
            }
        ],
        nodeSelector={"kubernetes.io/os": "linux"},
        priority=2000000000,
        priorityClassName="system-cluster-critical",
        serviceAccountName="calico-kube-controllers",
        tolerations=[
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/master"},
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"},
        ],
    )
    kc_created = CALICO_CREATED
    kc, kc_rs = deployment(
        "kube-system",
        "calico-kube-controllers",
        labels=kc_labels,
        selector=kc_labels,
        pod_labels=kc_labels,
        spec=kc_spec,
        created=kc_created,
        rs_hash="7c968b5878",
        available=kc_created + timedelta(seconds=75),
    )
    pod = replica_pod(
        ips,
        kc_rs,
        "kubemaster",
        kc_created + timedelta(seconds=1),
        started=kc_created + timedelta(seconds=60),
    )
    pod["spec"]["tolerations"] = kc_spec["tolerations"] + k8s.not_ready_tolerations()
    return [kc, kc_rs, pod]


def coredns(ips: IPs) -> list[Obj]:
    """CoreDNS: Deployment, ReplicaSet and its two pods on kubemaster."""
    dns_labels = {"k8s-app": "kube-dns"}
    dns_spec = template_spec(
        [
            {
                "args": ["-conf", "/etc/coredns/Corefile"],
                "image": "registry.k8s.io/coredns/coredns:v1.10.1",
                "livenessProbe": probe(
                    "httpGet", ("/health", 8080), failureThreshold=5, initialDelaySeconds=60, timeoutSeconds=5
                ),
                "name": "coredns",
                "ports": [
                    container_port("dns", 53, "UDP"),
                    container_port("dns-tcp", 53),
                    container_port("metrics", 9153),
                ],
                "readinessProbe": probe("httpGet", ("/ready", 8181)),
                "resources": resources({"cpu": "100m", "memory": "70Mi"}, {"memory": "170Mi"}),
                "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True}],
            }
        ],
        dnsPolicy="Default",
        nodeSelector={"kubernetes.io/os": "linux"},
        priority=2000000000,
        priorityClassName="system-cluster-critical",
        serviceAccountName="coredns",
        tolerations=[
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"},
        ],
        volumes=[
            {
                "configMap": {
                    "defaultMode": 420,
                    "items": [{"key": "Corefile", "path": "Corefile"}],
                    "name": "coredns",
                },
                "name": "config-volume",
            }
        ],
    )
    dns_created = CLUSTER_BIRTH + timedelta(seconds=16)
    dns, dns_rs = deployment(
        "kube-system",
        "coredns",
        labels=dns_labels,
        selector=dns_labels,
        pod_labels=dns_labels,
        spec=dns_spec,
        created=dns_created,
        rs_hash="5dd5756b68",
        available=CALICO_CREATED + timedelta(seconds=40),
    )
    dns["spec"]["replicas"] = dns_rs["spec"]["replicas"] = 2
    dns["status"].update(availableReplicas=2, readyReplicas=2, replicas=2, updatedReplicas=2)
    dns_rs["status"].update(availableReplicas=2, fullyLabeledReplicas=2, readyReplicas=2, replicas=2)
    dns_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = "2"
    dns_rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] = "3"
    objects = [dns, dns_rs]
    for i in range(2):
        pod = replica_pod(
            ips,
            dns_rs,
            "kubemaster",
            dns_created + timedelta(seconds=12),
            name=f"coredns-5dd5756b68-{suffix(5, 'coredns', str(i))}",
            started=CALICO_CREATED + timedelta(seconds=25),
        )
        pod["spec"]["tolerations"] = dns_spec["tolerations"] + k8s.not_ready_tolerations()
        objects.append(pod)
    return objects


# ---------------------------------------------------------------- monitoring (kube-prometheus-stack)

HELM = {"meta.helm.sh/release-name": "monitoring", "meta.helm.sh/release-namespace": "monitoring"}
MON_CREATED = datetime(2025, 12, 14, 9, 10, 24, tzinfo=UTC)


def chart_labels(name: str, chart: str, version: str, **extra: str) -> Obj:
    return {
        "app.kubernetes.io/instance": "monitoring",
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/version": version,
        "helm.sh/chart": chart,
        **extra,
    }


def reloader(kind: str, name: str, *, init: bool = False) -> Obj:
    container = {
        "args": [
            f"--watch-interval={'0' if init else '10s'}",
            "--listen-address=:8080",
            f"--config-file=/etc/{kind}/config/{kind}.yaml.gz",
        ],
        "command": ["/bin/prometheus-config-reloader"],
        "env": [
            {
                "name": "POD_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
            },
            {"name": "SHARD", "value": "0"},
        ],
        "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.86.2",
        "name": "init-config-reloader" if init else "config-reloader",
        "resources": resources({"cpu": "10m", "memory": "50Mi"}, {"cpu": "10m", "memory": "50Mi"}),
    }
    if not init:
        container["ports"] = [container_port("reloader-web", 8080)]
    return container


def monitoring(ips: IPs) -> list[Obj]:
    """Return the kube-prometheus-stack release `monitoring`: Deployments, node exporter, Prometheus,
    Alertmanager."""
    return [*monitoring_deployments(ips), *node_exporter(ips), *operated_pods(ips)]


def monitoring_deployments(ips: IPs) -> list[Obj]:
    """Grafana, kube-state-metrics and the Prometheus operator: Deployment, ReplicaSet and pod each."""
    ns = "monitoring"
    objects: list[Obj] = []
    specs = [
        (
            "monitoring-grafana",
            "kubeworker1",
            "6c8b8f9d7b",
            chart_labels("grafana", "grafana-10.1.4", "12.2.1"),
            {"app.kubernetes.io/instance": "monitoring", "app.kubernetes.io/name": "grafana"},
            [
                {
                    "env": [
                        {"name": "LABEL", "value": "grafana_dashboard"},
                        {"name": "METHOD", "value": "WATCH"},
                        {"name": "FOLDER", "value": "/tmp/dashboards"},
                        {"name": "RESOURCE", "value": "both"},
                    ],
                    "image": "quay.io/kiwigrid/k8s-sidecar:1.30.10",
                    "name": "grafana-sc-dashboard",
                },
                {
                    "env": [
                        {"name": "LABEL", "value": "grafana_datasource"},
                        {"name": "METHOD", "value": "WATCH"},
                        {"name": "FOLDER", "value": "/etc/grafana/provisioning/datasources"},
                        {"name": "RESOURCE", "value": "both"},
                    ],
                    "image": "quay.io/kiwigrid/k8s-sidecar:1.30.10",
                    "name": "grafana-sc-datasources",
                },
                {
                    "image": "docker.io/grafana/grafana:12.2.1",
                    "name": "grafana",
                    "livenessProbe": probe(
                        "httpGet",
                        ("/api/health", 3000),
                        failureThreshold=10,
                        initialDelaySeconds=60,
                        timeoutSeconds=30,
                    ),
                    "ports": [
                        container_port("grafana", 3000),
                        container_port("gossip-tcp", 9094),
                        container_port("gossip-udp", 9094, "UDP"),
                    ],
                    "readinessProbe": probe("httpGet", ("/api/health", 3000)),
                },
            ],
            "monitoring-grafana",
        ),
        (
            "monitoring-kube-state-metrics",
            "kubeworker2",
            "5b9c6d4f8c",
            chart_labels(
                "kube-state-metrics", "kube-state-metrics-6.4.1", "2.17.0", **{"release": "monitoring"}
            ),
            {"app.kubernetes.io/instance": "monitoring", "app.kubernetes.io/name": "kube-state-metrics"},
            [
                {
                    "args": ["--port=8080", "--resources=deployments,nodes,pods,replicasets,services"],
                    "image": "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0",
                    "livenessProbe": probe(
                        "httpGet", ("/livez", 8080), initialDelaySeconds=5, timeoutSeconds=5
                    ),
                    "name": "kube-state-metrics",
                    "ports": [container_port("http", 8080)],
                    "readinessProbe": probe(
                        "httpGet", ("/readyz", 8081), initialDelaySeconds=5, timeoutSeconds=5
                    ),
                }
            ],
            "monitoring-kube-state-metrics",
        ),
        (
            "monitoring-kube-prometheus-operator",
            "kubeworker2",
            "7d6b5d8c4f",
            {
                "app": "kube-prometheus-stack-operator",
                "app.kubernetes.io/component": "prometheus-operator",
                "app.kubernetes.io/instance": "monitoring",
                "app.kubernetes.io/managed-by": "Helm",
                "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator",
                "app.kubernetes.io/part-of": "kube-prometheus-stack",
                "app.kubernetes.io/version": "79.5.0",
                "chart": "kube-prometheus-stack-79.5.0",
                "heritage": "Helm",
                "release": "monitoring",
            },
            {"app": "kube-prometheus-stack-operator", "release": "monitoring"},
            [
                {
                    "args": [
                        "--kubelet-service=kube-system/monitoring-kube-prometheus-kubelet",
                        "--web.enable-tls=true",
                        "--web.listen-address=:10250",
                    ],
                    "image": "quay.io/prometheus-operator/prometheus-operator:v0.86.2",
                    "name": "kube-prometheus-stack",
                    "ports": [container_port("https", 10250)],
                }
            ],
            "monitoring-kube-prometheus-operator",
        ),
    ]
    for name, node, rs_hash, labels, selector, containers, sa in specs:
        pod_labels = {**labels, **selector}
        spec = template_spec(containers, serviceAccountName=sa)
        created = MON_CREATED + timedelta(seconds=4)
        deploy, rs = deployment(
            ns,
            name,
            labels=labels,
            selector=selector,
            pod_labels=pod_labels,
            spec=spec,
            created=created,
            rs_hash=rs_hash,
            available=created + timedelta(seconds=95),
            annotations=HELM,
        )
        objects += [
            deploy,
            rs,
            replica_pod(
                ips, rs, node, created + timedelta(seconds=1), started=created + timedelta(seconds=70)
            ),
        ]
    return objects


def node_exporter(ips: IPs) -> list[Obj]:
    """The Prometheus node exporter DaemonSet and its pods."""
    ne_labels = chart_labels(
        "prometheus-node-exporter",
        "prometheus-node-exporter-4.49.1",
        "1.10.2",
        **{
            "app.kubernetes.io/component": "metrics",
            "app.kubernetes.io/part-of": "prometheus-node-exporter",
            "jobLabel": "node-exporter",
            "release": "monitoring",
        },
    )
    ne_selector = {
        "app.kubernetes.io/instance": "monitoring",
        "app.kubernetes.io/name": "prometheus-node-exporter",
    }
    exporter = daemonset(
        "monitoring",
        "monitoring-prometheus-node-exporter",
        labels=ne_labels,
        selector=ne_selector,
        pod_labels=ne_labels,
        created=MON_CREATED + timedelta(seconds=4),
        annotations=HELM,
        spec=template_spec(
            [
                {
                    "args": [
                        "--path.procfs=/host/proc",
                        "--path.sysfs=/host/sys",
                        "--path.rootfs=/host/root",
                        "--web.listen-address=[$(HOST_IP)]:9100",
                    ],
                    "env": [{"name": "HOST_IP", "value": "0.0.0.0"}],
                    "image": "quay.io/prometheus/node-exporter:v1.10.2",
                    "livenessProbe": probe("httpGet", ("/", 9100)),
                    "name": "node-exporter",
                    "ports": [container_port("http-metrics", 9100)],
                    "readinessProbe": probe("httpGet", ("/", 9100)),
                }
            ],
            automountServiceAccountToken=False,
            hostNetwork=True,
            hostPID=True,
            nodeSelector={"kubernetes.io/os": "linux"},
            serviceAccountName="monitoring-prometheus-node-exporter",
            tolerations=[{"effect": "NoSchedule", "operator": "Exists"}],
        ),
    )
    pods = daemonset_pods(ips, exporter, host_network=True, started=MON_CREATED + timedelta(seconds=5))
    for pod in pods:
        pod["spec"]["tolerations"] = exporter["spec"]["template"]["spec"]["tolerations"] + DS_TOLERATIONS
    return [exporter, *pods]


def operated_pods(ips: IPs) -> list[Obj]:
    """The pods of the Prometheus and Alertmanager StatefulSets the operator runs."""
    return [
        operated_pod(ips, "prometheus", "kubeworker1", prometheus_container()),
        operated_pod(ips, "alertmanager", "kubeworker2", alertmanager_container()),
    ]


def prometheus_container() -> Obj:
    """Prometheus' own container in its pod."""
    return {
        "args": [
            "--web.console.templates=/etc/prometheus/consoles",
            "--storage.tsdb.retention.time=10d",
            "--config.file=/etc/prometheus/config_out/prometheus.env.yaml",
            "--web.enable-lifecycle",
            "--web.listen-address=:9090",
        ],
        "image": "quay.io/prometheus/prometheus:v3.7.3",
        "name": "prometheus",
        "ports": [container_port("http-web", 9090)],
        "readinessProbe": probe("httpGet", ("/-/ready", "http-web"), timeoutSeconds=3),
        "startupProbe": probe(
            "httpGet",
            ("/-/ready", "http-web"),
            failureThreshold=60,
            periodSeconds=15,
            timeoutSeconds=3,
        ),
    }


def alertmanager_container() -> Obj:
    """Alertmanager's own container in its pod."""
    return {
        "args": [
            "--config.file=/etc/alertmanager/config_out/alertmanager.env.yaml",
            "--storage.path=/alertmanager",
            "--data.retention=120h",
            "--web.listen-address=:9093",
            "--cluster.listen-address=",
            "--web.route-prefix=/",
        ],
        "image": "quay.io/prometheus/alertmanager:v0.29.0",
        "name": "alertmanager",
        "livenessProbe": probe("httpGet", ("/-/healthy", "http-web"), failureThreshold=10, timeoutSeconds=3),
        "ports": [
            container_port("http-web", 9093),
            container_port("mesh-tcp", 9094),
            container_port("mesh-udp", 9094, "UDP"),
        ],
        "readinessProbe": probe(
            "httpGet",
            ("/-/ready", "http-web"),
            initialDelaySeconds=3,
            periodSeconds=5,
            timeoutSeconds=3,
        ),
        "resources": resources({"memory": "200Mi"}),
    }


def operated_pod(ips: IPs, kind: str, node: str, main: Obj) -> Obj:
    """The only pod of the operator's StatefulSet of `kind` (prometheus, alertmanager), running `main`
    and the config reloader."""
    ns = "monitoring"
    sts = f"{kind}-monitoring-kube-prometheus-{kind}"
    name = f"{sts}-0"
    labels = {
        "app.kubernetes.io/instance": f"monitoring-kube-prometheus-{kind}",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/name": kind,
        "app.kubernetes.io/version": main["image"].rsplit(":v", 1)[1],
        kind: f"monitoring-kube-prometheus-{kind}",
        "apps.kubernetes.io/pod-index": "0",
        "controller-revision-hash": f"{sts}-{suffix(9, 'sts', sts)}",
        "operator.prometheus.io/name": f"monitoring-kube-prometheus-{kind}",
        "statefulset.kubernetes.io/pod-name": name,
    }
    if kind == "prometheus":
        labels["operator.prometheus.io/shard"] = "0"
    spec = template_spec(
        [main, reloader(kind, sts)],
        initContainers=[reloader(kind, sts, init=True)],
        hostname=name,
        serviceAccountName=f"monitoring-kube-prometheus-{kind}",
        subdomain=f"{kind}-operated",
        terminationGracePeriodSeconds=600 if kind == "prometheus" else 120,
        securityContext={
            "fsGroup": 2000,
            "runAsGroup": 2000,
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    )
    created = MON_CREATED + timedelta(seconds=38)
    return make_pod(
        ns,
        name,
        labels=labels,
        owner=owner_ref("StatefulSet", sts, ns),
        node=node,
        spec=spec,
        created=created,
        started=created + timedelta(seconds=20),
        ip=ips.take(node),
        annotations={"kubectl.kubernetes.io/default-container": kind},
    )


# ---------------------------------------------------------------- apps


def apps(ips: IPs) -> list[Obj]:
    """Return the four services of namespace `apps`: Deployments, ReplicaSets, Pods, and the LimitRange."""
    return [*(obj for name in APPS for obj in app(ips, name)), apps_limit_range()]


def app_container(name: str) -> Obj:
    """The container of service `name` as its manifest (k8s/apps/) writes it."""
    env = [{"name": "LOG_LEVEL", "value": "info"}, {"name": "SERVICE_NAME", "value": name}]
    if name == "backend-api":
        env += [
            {"name": f"{svc.split('-')[0].upper()}_URL", "value": f"http://{svc}"}
            for svc in ("users-service", "orders-service", "payments-service")
        ]
    return {
        "env": env,
        "image": f"registry.local/incident-lab/{name}:1.0.0",
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": "http"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
        },
        "name": name,
        "ports": [{"containerPort": 8080, "name": "http"}],
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http"},
            "initialDelaySeconds": 3,
            "periodSeconds": 5,
        },
        "resources": resources({"cpu": "50m", "memory": "64Mi"}, {"cpu": "200m", "memory": "256Mi"}),
    }


def applied_deployment(namespace: str, name: str, labels: Obj, selector: Obj, container: Obj) -> Obj:
    """The one-replica Deployment manifest `kubectl apply` was given (its last-applied-configuration)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"annotations": {}, "labels": labels, "name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def app(ips: IPs, name: str) -> list[Obj]:
    """Service `name` of namespace `apps`: its Deployment, ReplicaSet and healthy pod."""
    ns = "apps"
    manifest = app_container(name)
    labels = {"app": name, "version": "v1"}
    container = json.loads(json.dumps(manifest))
    container["ports"][0]["protocol"] = "TCP"
    container["livenessProbe"] = probe("httpGet", ("/health", "http"), initialDelaySeconds=10)
    container["readinessProbe"] = probe("httpGet", ("/ready", "http"), initialDelaySeconds=3, periodSeconds=5)
    created = APPS_CREATED + timedelta(seconds=APPS.index(name))
    deploy, rs = deployment(
        ns,
        name,
        labels=labels,
        selector={"app": name},
        pod_labels=labels,
        spec=template_spec([container]),
        created=created,
        rs_hash=suffix(10, "rs", ns, name),
        available=created + timedelta(seconds=11),
        applied=applied_deployment(ns, name, labels, {"app": name}, manifest),
    )
    node = APPS_NODES[name]
    pod = replica_pod(ips, rs, node, created + timedelta(seconds=1), started=created + timedelta(seconds=3))
    return [deploy, rs, pod]


def apps_limit_range() -> Obj:
    """The LimitRange of namespace `apps` (k8s/apps/limitrange.yaml)."""
    ns, name = "apps", "apps-limits"
    limits = {
        "default": {"cpu": "200m", "memory": "256Mi"},
        "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
        "max": {"memory": "300Mi"},
        "type": "Container",
    }
    applied = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"annotations": {}, "name": name, "namespace": ns},
        "spec": {"limits": [limits]},
    }
    created = APPS_CREATED - timedelta(seconds=6)
    metadata = k8s.object_meta(
        name,
        ns,
        created,
        annotations={"kubectl.kubernetes.io/last-applied-configuration": last_applied(applied)},
        resource_version=rv(created, "LimitRange", ns, name),
        uid=uid("LimitRange", ns, name),
    )
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": metadata, "spec": {"limits": [limits]}}


# ---------------------------------------------------------------- the OOM drill


def crash_looping_status(
    pod: str,
    namespace: str,
    container: Obj,
    last_run: tuple[datetime, datetime],
    *,
    runs: int,
    restarts: int,
    reason: str,
    exit_code: int,
    delay: str,
) -> Obj:
    """`container` of `pod` waiting `delay` in CrashLoopBackOff after `runs` runs and `restarts`
    restarts: the last run (start, end) ended with `reason` and `exit_code`."""
    cid = container_id(pod, container["name"], runs - 1)
    pod_uid = uid("Pod", namespace, pod)
    return container_status(
        container,
        cid,
        k8s.crash_loop_state(container["name"], pod, namespace, pod_uid, delay),
        ready=False,
        started=False,
        restarts=restarts,
        last_state=k8s.terminated_state(cid, reason, exit_code, *last_run),
    )


def not_ready_conditions(created: datetime, down: datetime, container: str) -> list[Obj]:
    """A scheduled, initialized pod's conditions whose `container` is not ready since `down`."""
    return [
        k8s.pod_condition("Initialized", "True", created),
        k8s.not_ready_condition("Ready", down, [container]),
        k8s.not_ready_condition("ContainersReady", down, [container]),
        k8s.pod_condition("PodScheduled", "True", created),
    ]


def oom_drill(ips: IPs) -> list[Obj]:
    """Return the OOM drill: Deployment `oom-test`, its ReplicaSet, and the crash-looping pod."""
    user_container = {
        "args": ["--vm", "1", "--vm-bytes", "300M", "--vm-hang", "1"],
        "command": ["stress"],
        "image": "polinux/stress:1.0.4",
        "name": "app",
        "resources": resources({"cpu": "50m", "memory": "128Mi"}, {"cpu": "200m", "memory": "256Mi"}),
    }
    labels = {"app": OOM_DEPLOY}
    deploy, rs = deployment(
        OOM_NS,
        OOM_DEPLOY,
        labels=labels,
        selector=labels,
        pod_labels=labels,
        spec=template_spec([user_container]),
        created=OOM_CREATED,
        rs_hash=OOM_RS.rsplit("-", 1)[1],
        available=None,
        applied=applied_deployment(OOM_NS, OOM_DEPLOY, labels, labels, user_container),
    )
    status = crash_looping_status(
        OOM_POD,
        OOM_NS,
        user_container,
        OOM_RUNS[-1],
        runs=len(OOM_RUNS),
        restarts=len(OOM_RUNS),  # every run was OOM-killed
        reason="OOMKilled",
        exit_code=137,
        delay="1m20s",
    )
    last_kill = OOM_RUNS[-1][1]
    pod = replica_pod(
        ips,
        rs,
        OOM_NODE,
        OOM_CREATED,
        name=OOM_POD,
        started=OOM_RUNS[0][0],
        statuses=[status],
        conditions=not_ready_conditions(OOM_CREATED, last_kill, "app"),
        changed=last_kill + timedelta(seconds=1),
    )
    return [deploy, rs, pod]


# ---------------------------------------------------------------- nodes, services, endpoints


def node(name: str) -> Obj:
    """Return a Ready kubeadm node with Calico annotations and the images of the pods it runs."""
    info = NODES[name]
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    spec: Obj = {"podCIDR": info["cidr"], "podCIDRs": [info["cidr"]]}
    if name == "kubemaster":
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        spec["taints"] = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    heartbeat = CAPTURED_AT - timedelta(seconds=int(digest("hb", name)[:2], 16) % 240 + 20)
    metadata = k8s.object_meta(
        name,
        None,
        info["created"],
        annotations={
            "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
            "node.alpha.kubernetes.io/ttl": "0",
            "projectcalico.org/IPv4Address": f"{info['ip']}/24",
            "projectcalico.org/IPv4IPIPTunnelAddr": info["tunnel"],
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
        labels=labels,
        resource_version=rv(heartbeat, "Node", name),
        uid=uid("Node", "", name),
    )
    memory = info["memory"]
    return k8s.node(
        metadata,
        spec,
        addresses=[{"address": info["ip"], "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
        allocatable=k8s.node_resources("2", "28819139742", f"{memory - 102400}Ki"),
        capacity=k8s.node_resources("2", "31270768Ki", f"{memory}Ki"),
        conditions=node_conditions(info["created"], heartbeat),
        images=[],  # filled in by node_images()
        info=k8s.node_info(
            boot_id=uid("boot", name),
            machine_id=digest("machine", name)[:32],
            system_uuid=uid("system", name).upper(),
            container_runtime="containerd://1.7.24",
            kernel="5.15.0-126-generic",
            kubelet_version=KUBE_VERSION,
            os_image="Ubuntu 22.04.5 LTS",
        ),
    )


def node_conditions(created: datetime, heartbeat: datetime) -> list[Obj]:
    """A healthy node's conditions: Calico's route, no pressure, Ready 40 s after it joined."""
    calico_up = created + timedelta(minutes=5, seconds=12)
    return [
        k8s.node_condition(
            "NetworkUnavailable",
            "False",
            "CalicoIsUp",
            "Calico is running on this node",
            calico_up,
            calico_up,
        ),
        k8s.node_condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            created,
            heartbeat,
        ),
        k8s.node_condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            created,
            heartbeat,
        ),
        k8s.node_condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            created,
            heartbeat,
        ),
        k8s.node_condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status. AppArmor enabled",
            created + timedelta(seconds=40),
            heartbeat,
        ),
    ]


def node_images(nodes: list[Obj], pods: list[Obj]) -> None:
    """Fill each node's status.images with the images of the pods bound to it (plus the pause image)."""
    for n in nodes:
        refs = {"registry.k8s.io/pause:3.9"}
        for p in pods:
            if p["spec"]["nodeName"] == n["metadata"]["name"]:
                refs |= {c["image"] for c in p["spec"]["containers"] + p["spec"].get("initContainers", [])}
        images = [
            k8s.node_image(
                [image_id(ref), full_image(ref)], 300_000 + int(digest("size", ref)[:8], 16) % 150_000_000
            )
            for ref in sorted(refs)
        ]
        n["status"]["images"] = sorted(images, key=lambda i: -i["sizeBytes"])


def service(
    namespace: str,
    name: str,
    cluster_ip: str,
    ports: list[Obj],
    selector: Obj | None,
    created: datetime,
    labels: Obj | None = None,
    annotations: Obj | None = None,
) -> Obj:
    """Return a ClusterIP Service (ports are (name, port, targetPort[, protocol]) dicts)."""
    optional = {"labels": labels, "annotations": annotations}
    metadata = k8s.object_meta(
        name,
        namespace,
        created,
        resource_version=rv(created, "Service", namespace, name),
        uid=uid("Service", namespace, name),
        **{key: value for key, value in optional.items() if value},
    )
    return k8s.service(metadata, cluster_ip, [{"protocol": "TCP", **p} for p in ports], selector)


def selected(svc: Obj, pods: list[Obj]) -> list[Obj]:
    """The pods of `svc`'s namespace its selector matches."""
    meta, selector = svc["metadata"], svc["spec"]["selector"]
    return [
        p
        for p in pods
        if p["metadata"]["namespace"] == meta["namespace"]
        and all(p["metadata"]["labels"].get(k) == v for k, v in selector.items())
    ]


def endpoint_ports(svc: Obj, pods: list[Obj]) -> list[Obj]:
    """`svc`'s ports as its Endpoints list them: a named targetPort resolved in the pods' containers."""
    ports = []
    for sp in svc["spec"]["ports"]:
        target = sp["targetPort"]
        if isinstance(target, str):
            target = next(
                cp["containerPort"]
                for p in pods
                for c in p["spec"]["containers"]
                for cp in c.get("ports", [])
                if cp["name"] == target
            )
        ports.append(
            {**({"name": sp["name"]} if "name" in sp else {}), "port": target, "protocol": sp["protocol"]}
        )
    return ports


def ready_since(pod: Obj) -> datetime:
    """When `pod`'s Ready condition last changed."""
    return parse_timestamp(
        next(c["lastTransitionTime"] for c in pod["status"]["conditions"] if c["type"] == "Ready")
    )


def endpoints(svc: Obj, pods: list[Obj]) -> Obj:
    """Return the Endpoints the endpoints controller writes for `svc` from the ready pods it selects."""
    meta = svc["metadata"]
    chosen = selected(svc, pods)
    ready, not_ready = [], []
    for p in sorted(chosen, key=lambda p: p["status"]["podIP"]):
        pmeta = p["metadata"]
        address = k8s.endpoint_address(
            p["status"]["podIP"], p["spec"]["nodeName"], pmeta["name"], meta["namespace"], pmeta["uid"]
        )
        is_ready = next(c["status"] == "True" for c in p["status"]["conditions"] if c["type"] == "Ready")
        (ready if is_ready else not_ready).append(address)
    changed = max(ready_since(p) for p in chosen)
    metadata = k8s.object_meta(
        meta["name"],
        meta["namespace"],
        parse_timestamp(meta["creationTimestamp"]),
        annotations={"endpoints.kubernetes.io/last-change-trigger-time": timestamp(changed)},
        resource_version=rv(changed, "Endpoints", meta["namespace"], meta["name"]),
        uid=uid("Endpoints", meta["namespace"], meta["name"]),
        **({"labels": meta["labels"]} if "labels" in meta else {}),
    )
    return k8s.endpoints(metadata, [k8s.endpoint_subset(ready, not_ready, endpoint_ports(svc, chosen))])


def services(pods: list[Obj]) -> list[Obj]:
    """Return the cluster's Services and their Endpoints."""
    svcs = [*monitoring_services(), *apps_services()]
    return [*svcs, *(endpoints(s, pods) for s in svcs), *kubernetes_service()]


def stack_labels(app: str, **extra: str) -> Obj:
    """The labels kube-prometheus-stack puts on its own Services."""
    return {
        "app": app,
        "app.kubernetes.io/instance": "monitoring",
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/part-of": "kube-prometheus-stack",
        "chart": "kube-prometheus-stack-79.5.0",
        "heritage": "Helm",
        "release": "monitoring",
        **extra,
    }


def monitoring_services() -> list[Obj]:
    """kube-dns, and the Services of the monitoring release."""
    mon = MON_CREATED + timedelta(seconds=3)
    return [
        service(
            "kube-system",
            "kube-dns",
            "10.96.0.10",
            [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "targetPort": 53},
                {"name": "metrics", "port": 9153, "targetPort": 9153},
            ],
            {"k8s-app": "kube-dns"},
            CLUSTER_BIRTH + timedelta(seconds=16),
            labels={
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
            annotations={"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        ),
        service(
            "monitoring",
            "monitoring-grafana",
            "10.104.187.62",
            [{"name": "http-web", "port": 80, "targetPort": 3000}],
            {"app.kubernetes.io/instance": "monitoring", "app.kubernetes.io/name": "grafana"},
            mon,
            labels=chart_labels("grafana", "grafana-10.1.4", "12.2.1"),
            annotations=HELM,
        ),
        service(
            "monitoring",
            "monitoring-kube-prometheus-alertmanager",
            "10.98.33.140",
            [
                {"name": "http-web", "port": 9093, "targetPort": 9093},
                {"appProtocol": "http", "name": "reloader-web", "port": 8080, "targetPort": "reloader-web"},
            ],
            {
                "alertmanager": "monitoring-kube-prometheus-alertmanager",
                "app.kubernetes.io/name": "alertmanager",
            },
            mon,
            labels=stack_labels("kube-prometheus-stack-alertmanager"),
            annotations=HELM,
        ),
        service(
            "monitoring",
            "monitoring-kube-prometheus-operator",
            "10.101.9.214",
            [{"name": "https", "port": 443, "targetPort": "https"}],
            {"app": "kube-prometheus-stack-operator", "release": "monitoring"},
            mon,
            labels=stack_labels("kube-prometheus-stack-operator"),
            annotations=HELM,
        ),
        service(
            "monitoring",
            "monitoring-kube-prometheus-prometheus",
            "10.110.74.25",
            [
                {"name": "http-web", "port": 9090, "targetPort": 9090},
                {"appProtocol": "http", "name": "reloader-web", "port": 8080, "targetPort": "reloader-web"},
            ],
            {
                "app.kubernetes.io/name": "prometheus",
                "operator.prometheus.io/name": "monitoring-kube-prometheus-prometheus",
            },
            mon,
            labels=stack_labels("kube-prometheus-stack-prometheus", **{"self-monitor": "true"}),
            annotations=HELM,
        ),
        service(
            "monitoring",
            "monitoring-kube-state-metrics",
            "10.106.240.17",
            [{"name": "http", "port": 8080, "targetPort": "http"}],
            {"app.kubernetes.io/instance": "monitoring", "app.kubernetes.io/name": "kube-state-metrics"},
            mon,
            labels=chart_labels(
                "kube-state-metrics", "kube-state-metrics-6.4.1", "2.17.0", release="monitoring"
            ),
            annotations={**HELM, "prometheus.io/scrape": "true"},
        ),
        service(
            "monitoring",
            "monitoring-prometheus-node-exporter",
            "10.97.152.201",
            [{"name": "http-metrics", "port": 9100, "targetPort": 9100}],
            {
                "app.kubernetes.io/instance": "monitoring",
                "app.kubernetes.io/name": "prometheus-node-exporter",
            },
            mon,
            labels=chart_labels(
                "prometheus-node-exporter",
                "prometheus-node-exporter-4.49.1",
                "1.10.2",
                jobLabel="node-exporter",
                release="monitoring",
            ),
            annotations={**HELM, "prometheus.io/scrape": "true"},
        ),
    ]


def apps_services() -> list[Obj]:
    """The Services of namespace `apps`, one per service, as `kubectl apply` made them."""
    svcs = []
    for i, name in enumerate(APPS):
        created = APPS_CREATED + timedelta(seconds=i)
        applied = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"annotations": {}, "labels": {"app": name}, "name": name, "namespace": "apps"},
            "spec": {
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                "selector": {"app": name},
            },
        }
        svcs.append(
            service(
                "apps",
                name,
                f"10.{100 + i}.{37 * (i + 1)}.{11 * (i + 3)}",
                [{"name": "http", "port": 80, "targetPort": "http"}],
                {"app": name},
                created,
                labels={"app": name},
                annotations={"kubectl.kubernetes.io/last-applied-configuration": last_applied(applied)},
            )
        )
    return svcs


def kubernetes_service() -> list[Obj]:
    """The API server's Service `kubernetes` in default, and its Endpoints (the API server writes them)."""
    api = service(
        "default",
        "kubernetes",
        "10.96.0.1",
        [{"name": "https", "port": 443, "targetPort": 6443}],
        None,
        CLUSTER_BIRTH + timedelta(seconds=5),
        labels={"component": "apiserver", "provider": "kubernetes"},
    )
    metadata = k8s.object_meta(
        "kubernetes",
        "default",
        CLUSTER_BIRTH + timedelta(seconds=5),
        labels={"endpointslice.kubernetes.io/skip-mirror": "true"},
        resource_version=rv(CLUSTER_BIRTH + timedelta(seconds=5), "ep-api"),
        uid=uid("Endpoints", "default", "kubernetes"),
    )
    ports = [{"name": "https", "port": 6443, "protocol": "TCP"}]
    subset = k8s.endpoint_subset([{"ip": NODES["kubemaster"]["ip"]}], [], ports)
    return [api, k8s.endpoints(metadata, [subset])]


# ---------------------------------------------------------------- events


def event(
    obj: Obj,
    reason: str,
    message: str,
    first: datetime,
    *,
    last: datetime | None = None,
    count: int = 1,
    warning: bool = False,
    component: str = "kubelet",
    host: str | None = None,
    field_path: str | None = None,
) -> Obj:
    """Return a core/v1 Event about `obj` as client-go's recorder writes it."""
    meta = obj["metadata"]
    nanos = int(first.timestamp()) * 10**9 + int(digest("ev", meta["name"], reason, message)[:8], 16) % 10**9
    if obj["kind"] == "Node":
        involved = k8s.node_reference(meta["name"])
    else:
        involved = k8s.object_reference(
            obj["kind"],
            meta["name"],
            meta["namespace"],
            meta["uid"],
            rv(meta_created(obj), obj["kind"], meta["namespace"], meta["name"]),
            api_version=obj["apiVersion"],
            field_path=field_path,
        )
    ns = meta.get("namespace") or "default"
    return k8s.event(
        involved,
        reason,
        message,
        name=k8s.event_name(meta["name"], nanos),
        namespace=ns,
        first=first,
        last=last or first,
        resource_version=rv(last or first, "Event", meta["name"], reason, message),
        uid=uid("Event", ns, meta["name"], reason, message),
        count=count,
        warning=warning,
        component=component,
        host=host,
    )


def meta_created(obj: Obj) -> datetime:
    return parse_timestamp(obj["metadata"]["creationTimestamp"])


def scheduled(pod: Obj) -> Obj:
    """Return the scheduler's Scheduled event: an events.k8s.io/v1 event seen through core/v1."""
    meta = pod["metadata"]
    at = meta_created(pod)
    micros = int(digest("sched", meta["name"])[:6], 16) % 10**6
    involved = k8s.object_reference(
        "Pod", meta["name"], meta["namespace"], meta["uid"], rv(at, "Pod-created", meta["name"])
    )
    return k8s.scheduler_event(
        involved,
        "Scheduled",
        f"Successfully assigned {meta['namespace']}/{meta['name']} to {pod['spec']['nodeName']}",
        name=k8s.event_name(meta["name"], int(at.timestamp()) * 10**9 + micros * 1000),
        namespace=meta["namespace"],
        at=at,
        event_time=k8s.micro_timestamp(at, micros),
        resource_version=rv(at, "Event-sched", meta["name"]),
        uid=uid("Event", meta["namespace"], meta["name"], "Scheduled"),
        instance="default-scheduler-kubemaster",
    )


def rollout_events(deploy: Obj, rs: Obj, pod: Obj, image: str, pull: str | None) -> list[Obj]:
    """Return the events of a fresh one-replica rollout up to the first container start."""
    created = meta_created(pod)
    node = pod["spec"]["nodeName"]
    cname = pod["spec"]["containers"][0]["name"]
    fp = f"spec.containers{{{cname}}}"
    out = [
        event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled up replica set {rs['metadata']['name']} to 1",
            created,
            component="deployment-controller",
        ),
        event(
            rs,
            "SuccessfulCreate",
            f"Created pod: {pod['metadata']['name']}",
            created,
            component="replicaset-controller",
        ),
        scheduled(pod),
    ]
    t = created + timedelta(seconds=1)
    if pull:
        out.append(event(pod, "Pulling", f'Pulling image "{image}"', t, host=node, field_path=fp))
        seconds = float(pull)
        t += timedelta(seconds=int(seconds) + 1)
        out.append(
            event(
                pod,
                "Pulled",
                f'Successfully pulled image "{image}" in {pull}s ({pull}s including waiting)',
                t,
                host=node,
                field_path=fp,
            )
        )
    else:
        out.append(
            event(
                pod,
                "Pulled",
                f'Container image "{image}" already present on machine',
                t,
                host=node,
                field_path=fp,
            )
        )
    return out


def events(objects: list[Obj]) -> list[Obj]:
    """Return the events still in the API at capture time (TTL 1h): the apps rollout and the OOM drill."""
    by_key = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objects}
    out = [*apps_events(objects, by_key), *oom_events(by_key)]
    return sorted(out, key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))


def apps_events(objects: list[Obj], by_key: dict[tuple[str, str, str], Obj]) -> list[Obj]:
    """The rollout of each apps service, up to its container's start."""
    out: list[Obj] = []
    for name in APPS:
        deploy = by_key[("Deployment", "apps", name)]
        rs_name = deploy["status"]["conditions"][1]["message"].split('"')[1]
        rs = by_key[("ReplicaSet", "apps", rs_name)]
        pod = next(
            o
            for o in objects
            if o["kind"] == "Pod"
            and o["metadata"]["namespace"] == "apps"
            and o["metadata"]["labels"].get("app") == name
        )
        image = pod["spec"]["containers"][0]["image"]
        started = meta_created(pod) + timedelta(seconds=3)
        fp = f"spec.containers{{{name}}}"
        out += rollout_events(deploy, rs, pod, image, pull=None)
        out += [
            event(
                pod,
                "Created",
                f"Created container {name}",
                started - timedelta(seconds=1),
                host=pod["spec"]["nodeName"],
                field_path=fp,
            ),
            event(
                pod,
                "Started",
                f"Started container {name}",
                started,
                host=pod["spec"]["nodeName"],
                field_path=fp,
            ),
        ]
    return out


def oom_events(by_key: dict[tuple[str, str, str], Obj]) -> list[Obj]:
    """The OOM drill's rollout, its restarts and back-off, and the kernel's OOM kills on its node."""
    deploy = by_key[("Deployment", OOM_NS, OOM_DEPLOY)]
    rs = by_key[("ReplicaSet", OOM_NS, OOM_RS)]
    pod = by_key[("Pod", OOM_NS, OOM_POD)]
    image = pod["spec"]["containers"][0]["image"]
    fp = "spec.containers{app}"
    starts = [s for s, _ in OOM_RUNS]
    kills = [k for _, k in OOM_RUNS]
    out = rollout_events(deploy, rs, pod, image, pull="5.832")
    pod_event = {"host": OOM_NODE, "field_path": fp}
    out += [
        event(
            pod,
            "Pulled",
            f'Container image "{image}" already present on machine',
            starts[1] - timedelta(seconds=1),
            last=starts[-1] - timedelta(seconds=1),
            count=len(starts) - 1,
            **pod_event,
        ),
        event(
            pod,
            "Created",
            "Created container app",
            starts[0] - timedelta(seconds=1),
            last=starts[-1] - timedelta(seconds=1),
            count=len(starts),
            **pod_event,
        ),
        event(
            pod,
            "Started",
            "Started container app",
            starts[0],
            last=starts[-1],
            count=len(starts),
            **pod_event,
        ),
        event(
            pod,
            "BackOff",
            f"Back-off restarting failed container app in pod {OOM_POD}_{OOM_NS}({pod['metadata']['uid']})",
            kills[0] + timedelta(seconds=1),
            last=CAPTURED_AT - timedelta(seconds=2),
            count=14,
            warning=True,
            **pod_event,
        ),
    ]
    node = by_key[("Node", "", OOM_NODE)]
    for kill, pid in zip(kills, OOM_HOST_PIDS, strict=True):
        anon = 261_000 + int(digest("anon", str(pid))[:4], 16) % 900
        out.append(
            event(
                node,
                "OOMKilling",
                f"Memory cgroup out of memory: Killed process {pid} (stress) total-vm:314952kB, "
                f"anon-rss:{anon}kB, file-rss:264kB, shmem-rss:0kB, UID:0 pgtables:572kB oom_score_adj:969",
                kill,
                warning=True,
                component="kernel-monitor",
                host=OOM_NODE,
            )
        )
    return out


# ---------------------------------------------------------------- logs


def logs(pods: list[Obj]) -> dict[str, str]:
    """Return the container logs by bundle path: the drill's stress output and backend-api's access log."""
    last_start, last_kill = OOM_RUNS[-1]
    stress = (
        "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n"
        "stress: FAIL: [1] (415) <-- worker 7 got signal 9\n"
        "stress: WARN: [1] (417) now reaping child worker processes\n"
        f"stress: FAIL: [1] (451) failed run completed in {int((last_kill - last_start).total_seconds())}s\n"
    )
    base = f"logs/{OOM_NS}/{OOM_POD}"
    # The container is waiting, so `kubectl logs` serves lastState.terminated's container, the same one
    # `kubectl logs --previous` serves: both files hold the 4th instance's output.
    out = {f"{base}/app.log": stress, f"{base}/app.previous.log": stress}

    pod = next(
        p
        for p in pods
        if p["metadata"]["namespace"] == "apps" and p["metadata"]["labels"].get("app") == "backend-api"
    )
    kubelet = NODES[pod["spec"]["nodeName"]]["ip"]
    client = NODES["kubemaster"]["tunnel"]
    rng = random.Random("backend-api-log")
    lines = []
    t = CAPTURED_AT - timedelta(minutes=2)
    while t < CAPTURED_AT:
        if t.second % 10 == 4:
            lines.append(f'INFO:     {kubelet}:{rng.randint(32768, 60999)} - "GET /health HTTP/1.1" 200 OK')
        if t.second % 5 == 1:
            lines.append(f'INFO:     {kubelet}:{rng.randint(32768, 60999)} - "GET /ready HTTP/1.1" 200 OK')
        if t.second in (17, 48) and t.minute % 2 == 0:
            lines.append(
                f'INFO:     {client}:{rng.randint(32768, 60999)} - "GET /api/orders HTTP/1.1" 200 OK'
            )
        t += timedelta(seconds=1)
    out[f"logs/apps/{pod['metadata']['name']}/backend-api.log"] = "\n".join(lines) + "\n"
    return out


# ---------------------------------------------------------------- metrics


def grid(start: datetime, end: datetime) -> list[datetime]:
    """Return the evaluation times of a range query over [start, end] with the bundle's step."""
    n = int((end - start).total_seconds()) // STEP
    return [start + timedelta(seconds=STEP * i) for i in range(n + 1)]


def oom_run_at(t: datetime) -> int | None:
    """Return the index of the drill container instance running at `t`, or None between instances."""
    for i, (start, kill) in enumerate(OOM_RUNS):
        if start <= t < kill:
            return i
    return None


def oom_series(signal: str) -> list[tuple[datetime, float]]:
    """Return the drill container's samples of `signal`; memory and CPU only while an instance runs."""
    rng = random.Random(f"oom-drill/{signal}")
    ramps = [48, 41, 57, 52]  # seconds from start until the working set reaches the limit's neighbourhood
    samples = []
    for t in grid(WINDOW_START, WINDOW_END):
        if t < OOM_RUNS[0][0]:
            continue
        if signal == "restarts":
            samples.append((t, float(sum(kill <= t for _, kill in OOM_RUNS))))
            continue
        run = oom_run_at(t)
        if run is None:
            continue
        if signal == "cpu_usage":
            samples.append((t, round(rng.uniform(0.15, 0.2), 6)))
            continue
        elapsed = (t - OOM_RUNS[run][0]).total_seconds()
        plateau = OOM_LIMIT * rng.uniform(0.982, 0.996)
        if elapsed < ramps[run]:
            value = 20 * MI + (plateau - 20 * MI) * (elapsed / ramps[run]) + rng.uniform(-0.3, 0.3) * MI
        else:
            value = plateau
        samples.append((t, float(int(value) // 4096 * 4096)))
    return samples


def apps_series(signal: str, pod: str) -> list[tuple[datetime, float]]:
    """Return a steady apps pod's samples of `signal` (about 27Mi, 1m CPU, no restarts)."""
    rng = random.Random(f"apps/{pod}/{signal}")
    out = []
    for t in grid(WINDOW_START, WINDOW_END):
        if signal == "memory_working_set":
            out.append((t, float(APPS_MEMORY + rng.randint(-96, 96) * 4096)))
        elif signal == "cpu_usage":
            out.append((t, round(0.001 + rng.uniform(-0.0003, 0.0003), 6)))
        else:
            out.append((t, 0.0))
    return out


def response(signal: str, ns: str, result: list[Obj], window: tuple[datetime, datetime]) -> Obj:
    """A range-query response body as a bundle stores it: the API's `data` plus how it was asked."""
    return range_response(promql(signal, ns), result, *window, STEP)


def resource_metrics(
    pods: list[Obj], window: tuple[datetime, datetime], series_of: Callable[[str, str], list]
) -> dict[str, Obj]:
    """Memory, CPU and restarts of the pods of apps and default, by file stem (`<signal>.<namespace>`):
    `series_of(pod name, signal)` gives each pod's samples (none, no series)."""
    out = {}
    for signal in ("memory_working_set", "cpu_usage", "restarts"):
        for ns in ("apps", "default"):
            result = []
            for pod in sorted(
                (p for p in pods if p["metadata"]["namespace"] == ns), key=lambda p: p["metadata"]["name"]
            ):
                name = pod["metadata"]["name"]
                series = series_of(name, signal)
                if series:
                    labels = {"container": pod["spec"]["containers"][0]["name"], "namespace": ns, "pod": name}
                    result.append(matrix_series(labels, series))
            out[f"{signal}.{ns}"] = response(signal, ns, result, window)
    return out


def metrics(pods: list[Obj]) -> dict[str, Obj]:
    """The OOM drill's responses: the drill pod's own series, the others steady."""
    return resource_metrics(
        pods,
        (WINDOW_START, WINDOW_END),
        lambda name, signal: oom_series(signal) if name == OOM_POD else apps_series(signal, name),
    )


# ---------------------------------------------------------------- writing


def k8s_list(items: list[Obj]) -> Obj:
    """Return `items` as the List `kubectl get … -A -o json` prints, sorted by kind, namespace, name."""
    return k8s.k8s_list(
        sorted(items, key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    )


def write_json(path: Path, data: Obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> None:
    ips = IPs()
    objects = [*kube_system(ips), *monitoring(ips), *apps(ips), *oom_drill(ips)]
    pods = [o for o in objects if o["kind"] == "Pod"]
    nodes = [node(n) for n in NODES]
    node_images(nodes, pods)
    objects += [*nodes, *services(pods)]
    kept = [o for o in objects if o["kind"] != "Secret"]

    if BUNDLE.exists():
        shutil.rmtree(BUNDLE)
    series = metrics([p for p in pods if p["metadata"]["namespace"] in ("apps", "default")])
    write_json(
        BUNDLE / "manifest.json",
        {
            "captured_at": timestamp(CAPTURED_AT),
            "cluster": {"cni": "calico", "name": "kubeadm-lab", "nodes": len(NODES), "version": KUBE_VERSION},
            "format": "incident-bundle/v1",
            "namespaces": ["apps", "default", "kube-system", "monitoring"],
            "notes": (
                "Reconstructed, not captured: rebuilt by incidents/reconstruct.py from the seed "
                "deployment runbook's validation run output (node list: 3 nodes Ready on v1.28.15; pod "
                "list with 0 restarts in apps, kube-system and monitoring; ~1m CPU and ~27Mi memory per "
                "apps pod; 256Mi limits; the OOM drill oom-test in default in CrashLoopBackOff after 4 OOM "
                "kills). Object identifiers, events, logs and all metric series are synthesised to match "
                "those figures, deterministically."
            ),
            "queries": {stem: body["query"] for stem, body in series.items()},
            "window": {"end": timestamp(WINDOW_END), "start": timestamp(WINDOW_START)},
        },
    )
    write_json(BUNDLE / "k8s" / "cluster.json", k8s_list(kept))
    write_json(
        BUNDLE / "k8s" / "events.json",
        k8s.k8s_list(events(objects)),
    )
    for path, text in logs(pods).items():
        (BUNDLE / path).parent.mkdir(parents=True, exist_ok=True)
        (BUNDLE / path).write_text(text)
    for stem, body in series.items():
        write_json(BUNDLE / "metrics" / f"{stem}.json", body)


if __name__ == "__main__":
    main()
