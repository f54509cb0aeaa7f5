"""The Node objects of a synthetic cluster: GKE nodes of their pool, with the labels and annotations GKE
writes, the taints and conditions of their state, and the images of the pods they ran."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta

from synthetic.draws import CAPTURED_AT, Draws
from synthetic.nodes import MACHINES, Nodes
from synthetic.pods import GeneratedPod
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, timestamp

ZONES = ("europe-west1-b", "europe-west1-c", "europe-west1-d")
KUBELET_VERSION = "v1.30.5-gke.1014001"
SYSTEM_IMAGES = (  # images every node pulled for its DaemonSets and system pods: (name, size in bytes)
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
MAX_IMAGES = 50  # the kubelet's nodeStatusMaxImages
# The conditions of a ready node: node-problem-detector's, then the kubelet's.
HEALTHY_CONDITIONS = (
    ("FrequentKubeletRestart", "False", "NoFrequentKubeletRestart", "kubelet is functioning properly"),
    ("FrequentDockerRestart", "False", "NoFrequentDockerRestart", "docker is functioning properly"),
    (
        "FrequentContainerdRestart",
        "False",
        "NoFrequentContainerdRestart",
        "containerd is functioning properly",
    ),
    ("KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock"),
    ("ReadonlyFilesystem", "False", "FilesystemIsNotReadOnly", "Filesystem is not read-only"),
    ("CorruptDockerOverlay2", "False", "NoCorruptDockerOverlay2", "docker overlay2 is functioning properly"),
    ("FrequentUnregisterNetDevice", "False", "NoFrequentUnregisterNetDevice", "node is functioning properly"),
    ("NetworkUnavailable", "False", "RouteCreated", "NodeController create implicit route"),
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status. AppArmor enabled"),
)
KUBELET_CONDITIONS = frozenset({"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"})
# The condition a node under pressure reports instead of the healthy one.
PRESSURE_CONDITIONS = {
    "memory_pressure": (
        "MemoryPressure",
        "True",
        "KubeletHasInsufficientMemory",
        "kubelet has insufficient memory available",
    ),
    "disk_pressure": ("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure"),
}


def node_objects(draws: Draws, nodes: Nodes, pods: list[GeneratedPod]) -> list[Obj]:
    """Every node, with the images of the pods that ran on it."""
    images: dict[str, dict[str, int]] = defaultdict(dict)
    for pod in pods:
        node = pod.raw["spec"].get("nodeName")
        for c in [*pod.raw["spec"].get("initContainers", []), *pod.raw["spec"]["containers"]]:
            if node and c["image"] not in images[node]:
                images[node][c["image"]] = draws.randint(20_000_000, 400_000_000)
    return [node_object(draws, nodes, i, name, images[name]) for i, name in enumerate(nodes.names)]


def node_object(draws: Draws, nodes: Nodes, index: int, name: str, app_images: dict[str, int]) -> Obj:
    """The `index`th node, a GKE node of its pool, with the images it pulled and the conditions of its
    state."""
    state = nodes.states[name]
    pool = next(p for p in MACHINES if f"-{p}-" in name)
    _, cpus, memory_ki, allocatable_ki = MACHINES[pool]
    zone = ZONES[index % len(ZONES)]
    created = CAPTURED_AT - timedelta(days=draws.randint(2, 60), seconds=draws.randint(0, 86_399))
    labels = node_labels(name, pool, zone)
    annotations = node_annotations(draws, name, zone, labels)
    pod_cidr = f"10.{100 + index // 256}.{index % 256}.0/24"
    spec: Obj = {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr], "providerID": f"gce://acme-prod/{zone}/{name}"}
    taints = node_taints(pool, state, nodes.since.get(name))
    if taints:
        spec["taints"] = taints
    addresses = [
        {"address": nodes.ips[name], "type": "InternalIP"},
        {"address": "", "type": "ExternalIP"},
        {"address": name, "type": "Hostname"},
    ]
    return k8s.node(
        draws.object_meta(name, None, created, annotations=annotations, labels=labels),
        spec,
        addresses=addresses,
        allocatable=k8s.node_resources(
            f"{cpus * 1000 - 90 - cpus * 10}m", "47060071478", f"{allocatable_ki}Ki"
        ),
        capacity=k8s.node_resources(str(cpus), "98831908Ki", f"{memory_ki}Ki"),
        conditions=node_conditions(draws, state, nodes.since.get(name, created), created),
        images=node_images(draws, app_images),
        info=k8s.node_info(
            boot_id=draws.uid(),
            machine_id=draws.hex_digits(32),
            system_uuid=draws.uid(),
            container_runtime="containerd://1.7.22",
            kernel="6.1.100+",
            kubelet_version=KUBELET_VERSION,
            os_image="Container-Optimized OS from Google",
        ),
    )


def node_labels(name: str, pool: str, zone: str) -> Obj:
    """The labels GKE puts on a node of `pool` in `zone`."""
    machine, cpus, _, _ = MACHINES[pool]
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
    return labels


def node_annotations(draws: Draws, name: str, zone: str, labels: Obj) -> Obj:
    """The annotations GKE and the kubelet put on a node: its instance, CSI node id, the labels GKE
    applied."""
    csi_node = {"pd.csi.storage.gke.io": f"projects/acme-prod/zones/{zone}/instances/{name}"}
    gke_labels = ",".join(f"{k}={v}" for k, v in labels.items() if k.startswith("cloud.google.com/"))
    return {
        "container.googleapis.com/instance_id": str(draws.randint(10**18, 10**19 - 1)),
        "csi.volume.kubernetes.io/nodeid": json.dumps(csi_node, separators=(",", ":")),
        "node.alpha.kubernetes.io/ttl": "0",
        "node.gke.io/last-applied-node-labels": gke_labels,
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    }


def node_taints(pool: str, state: str, since: datetime | None) -> list[Obj]:
    """A spot node's taint, and those the node controller adds for the node's state since `since`."""
    taints = []
    if pool == "spot":
        taints.append({"effect": "NoSchedule", "key": "cloud.google.com/gke-spot", "value": "true"})
    added = timestamp(since)
    if state == "not_ready":
        taints += [
            {"effect": effect, "key": "node.kubernetes.io/unreachable", "timeAdded": added}
            for effect in ("NoSchedule", "NoExecute")
        ]
    elif state != "ready":
        key = "memory-pressure" if state == "memory_pressure" else "disk-pressure"
        taints.append({"effect": "NoSchedule", "key": f"node.kubernetes.io/{key}", "timeAdded": added})
    return taints


def node_conditions(draws: Draws, state: str, since: datetime, created: datetime) -> list[Obj]:
    """The conditions of a node in `state` since `since`, created at `created`: those `state` changed
    moved at `since`, the others at `created`; a NotReady node's kubelet went silent before `since`."""
    heartbeat = CAPTURED_AT - timedelta(seconds=draws.randint(1, 40))
    rows = list(HEALTHY_CONDITIONS)
    changed: frozenset[str] = frozenset()
    if state in PRESSURE_CONDITIONS:
        pressure = PRESSURE_CONDITIONS[state]
        rows = [pressure if row[0] == pressure[0] else row for row in rows]
        changed = frozenset({pressure[0]})
    elif state == "not_ready":
        message = "Kubelet stopped posting node status."
        rows = [
            (r[0], "Unknown", "NodeStatusUnknown", message) if r[0] in KUBELET_CONDITIONS else r for r in rows
        ]
        changed = KUBELET_CONDITIONS
        heartbeat = since - timedelta(seconds=draws.randint(30, 50))
    return [
        k8s.node_condition(kind, status, reason, message, since if kind in changed else created, heartbeat)
        for kind, status, reason, message in rows
    ]


def node_images(draws: Draws, app_images: dict[str, int]) -> list[Obj]:
    """The images on the node, largest first, as many as the kubelet reports."""
    images = sorted([*SYSTEM_IMAGES, *app_images.items()], key=lambda item: -item[1])
    return [k8s.node_image([draws.image_digest(image), image], size) for image, size in images[:MAX_IMAGES]]
