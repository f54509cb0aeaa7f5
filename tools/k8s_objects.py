"""Kubernetes API objects as `kubectl get … -o json` prints them, built from the values that vary.

Shared by the generators of test bundles (benchmarks/synthetic/, incidents/reconstruct*.py), so a
pod, an event or an Endpoints object has one shape wherever it is generated. The builders take every
identifier (uid, resourceVersion, container id) as an argument: each generator derives them its own way
(a seeded random source, or hashes of names) and must keep doing so for its output to stay the same.
Keys come in the order kubectl prints them (sorted), except where the API appends one (a condition's
reason and message, an involved object's fieldPath).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]

SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


# ---- times


def timestamp(at: datetime | None) -> str | None:
    """`at` as the API writes a time: RFC 3339 in UTC, whole seconds; None stays None (unset)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def micro_timestamp(at: datetime, micros: int) -> str:
    """`at` with `micros` microseconds, the precision of an events.k8s.io event's eventTime."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"


def parse_timestamp(value: str) -> datetime:
    """The datetime of an API time string (the inverse of `timestamp`)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---- metadata


def object_meta(
    name: str, namespace: str | None, created: datetime, *, resource_version: str, uid: str, **fields: Any
) -> Obj:
    """An object's metadata, keys sorted as kubectl prints them; `namespace` None for a cluster-scoped
    object, `fields` the optional ones (labels, annotations, ownerReferences, generation…)."""
    meta = {"creationTimestamp": timestamp(created), **fields, "name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta.update(resourceVersion=resource_version, uid=uid)
    return dict(sorted(meta.items()))


def owner_reference(
    kind: str, name: str, uid: str, *, api_version: str = "apps/v1", block_owner_deletion: bool = True
) -> Obj:
    """The controller reference a controller puts on what it creates (a kubelet's mirror pod has no
    blockOwnerDeletion)."""
    ref: Obj = {"apiVersion": api_version}
    if block_owner_deletion:
        ref["blockOwnerDeletion"] = True
    return {**ref, "controller": True, "kind": kind, "name": name, "uid": uid}


def k8s_list(items: list[Obj]) -> Obj:
    """`items` as the List `kubectl get … -o json` prints."""
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ---- pods


def pod(metadata: Obj, spec: Obj, status: Obj) -> Obj:
    """A core/v1 Pod."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def pod_status(
    conditions: list[Obj],
    container_statuses: list[Obj],
    *,
    host_ip: str,
    pod_ip: str,
    qos_class: str,
    started: datetime,
    phase: str = "Running",
) -> Obj:
    """The status of a pod bound to a node (host IP) and given an IP, `started` its startTime."""
    return {
        "conditions": conditions,
        "containerStatuses": container_statuses,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "phase": phase,
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "qosClass": qos_class,
        "startTime": timestamp(started),
    }


def pod_condition(
    kind: str, status: str, at: datetime, reason: str | None = None, message: str | None = None
) -> Obj:
    """A pod condition (Ready, PodScheduled…) that last changed at `at`."""
    condition = {"lastProbeTime": None, "lastTransitionTime": timestamp(at), "status": status, "type": kind}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def not_ready_condition(kind: str, at: datetime, containers: list[str]) -> Obj:
    """Ready or ContainersReady False since `at` because of `containers`, in the kubelet's words."""
    message = f"containers with unready status: [{' '.join(containers)}]"
    return pod_condition(kind, "False", at, "ContainersNotReady", message)


def not_ready_tolerations(seconds: int = 300) -> list[Obj]:
    """The tolerations of not-ready and unreachable nodes the API server adds to every pod."""
    return [
        {
            "effect": "NoExecute",
            "key": f"node.kubernetes.io/{key}",
            "operator": "Exists",
            "tolerationSeconds": seconds,
        }
        for key in ("not-ready", "unreachable")
    ]


def service_account_token_volume(name: str) -> Obj:
    """The projected service-account token volume `name` the API server adds to a pod."""
    namespace_item = {
        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
        "path": "namespace",
    }
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [namespace_item]}},
            ],
        },
    }


def service_account_token_mount(name: str) -> Obj:
    """Where each container mounts the token volume `name`."""
    return volume_mount(SERVICE_ACCOUNT_MOUNT_PATH, name, read_only=True)


# ---- containers


def container_port(name: str, number: int, protocol: str = "TCP") -> Obj:
    """A named port a container declares."""
    return {"containerPort": number, "name": name, "protocol": protocol}


def env_var(name: str, value: str) -> Obj:
    """An environment variable with a literal value."""
    return {"name": name, "value": value}


def field_env(name: str, field_path: str) -> Obj:
    """An environment variable from a field of the pod (`metadata.name`, `status.podIP`…)."""
    return {"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": field_path}}}


def resource_env(name: str, resource: str) -> Obj:
    """An environment variable from one of the container's own requests or limits (`limits.cpu`…)."""
    return {"name": name, "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": resource}}}


def http_get(path: str, port: int | str, scheme: str = "HTTP") -> Obj:
    """A probe's handler: an HTTP GET of `path` on `port` (a number or a declared port's name)."""
    return {"httpGet": {"path": path, "port": port, "scheme": scheme}}


def probe(
    handler: Obj,
    *,
    failure_threshold: int = 3,
    initial_delay: int | None = None,
    period: int = 10,
    timeout: int = 1,
) -> Obj:
    """A probe with `handler` (`http_get`, tcpSocket, exec), the API's defaults where not given; no
    initialDelaySeconds unless `initial_delay` is given."""
    delay = {"initialDelaySeconds": initial_delay} if initial_delay is not None else {}
    return {
        **handler,
        "failureThreshold": failure_threshold,
        **delay,
        "periodSeconds": period,
        "successThreshold": 1,
        "timeoutSeconds": timeout,
    }


def resources(requests: Obj | None = None, limits: Obj | None = None) -> Obj:
    """A container's resources: its requests and limits, each left out when empty."""
    out: Obj = {}
    if limits:
        out["limits"] = limits
    if requests:
        out["requests"] = requests
    return out


def config_map_volume(name: str, config_map: str) -> Obj:
    """A pod volume `name` holding the ConfigMap `config_map`'s keys as files."""
    return {"configMap": {"defaultMode": 420, "name": config_map}, "name": name}


def empty_dir_volume(name: str, **options: str) -> Obj:
    """A pod volume `name` that starts empty (`medium`, `sizeLimit` as options)."""
    return {"emptyDir": options, "name": name}


def volume_mount(path: str, name: str, read_only: bool = False) -> Obj:
    """Where a container mounts the volume `name`."""
    return {"mountPath": path, "name": name, **({"readOnly": True} if read_only else {})}


# ---- container statuses


def container_status(
    name: str,
    image: str,
    image_id: str,
    container_id: str,
    state: Obj,
    *,
    ready: bool,
    started: bool,
    restarts: int = 0,
    last_state: Obj | None = None,
) -> Obj:
    """A container's status; `state` and `last_state` from the *_state builders."""
    return {
        "containerID": container_id,
        "image": image,
        "imageID": image_id,
        "lastState": last_state or {},
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "started": started,
        "state": state,
    }


def running_state(since: datetime) -> Obj:
    """A container state: running since `since`."""
    return {"running": {"startedAt": timestamp(since)}}


def terminated_state(
    container_id: str, reason: str, exit_code: int, started: datetime, finished: datetime
) -> Obj:
    """A container state: the instance `container_id` ran from `started` to `finished` and exited."""
    return {
        "terminated": {
            "containerID": container_id,
            "exitCode": exit_code,
            "finishedAt": timestamp(finished),
            "reason": reason,
            "startedAt": timestamp(started),
        }
    }


def waiting_state(reason: str, message: str | None = None) -> Obj:
    """A container state: waiting for `reason` (ContainerCreating, ErrImagePull…)."""
    return {"waiting": {"message": message, "reason": reason} if message else {"reason": reason}}


def crash_loop_state(container: str, pod_name: str, namespace: str, pod_uid: str, delay: str) -> Obj:
    """A container state: waiting `delay` in CrashLoopBackOff before its next restart, in the kubelet's
    words."""
    message = (
        f"back-off {delay} restarting failed container={container} pod={pod_name}_{namespace}({pod_uid})"
    )
    return waiting_state("CrashLoopBackOff", message)


# ---- events


def object_reference(
    kind: str,
    name: str,
    namespace: str,
    uid: str,
    resource_version: str,
    *,
    api_version: str = "v1",
    field_path: str | None = None,
) -> Obj:
    """The object an event is about; `field_path` names a container (`spec.containers{app}`)."""
    ref = {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "namespace": namespace,
        "resourceVersion": resource_version,
        "uid": uid,
    }
    if field_path:
        ref["fieldPath"] = field_path
    return ref


def node_reference(name: str) -> Obj:
    """A node as the kubelet and node-problem-detector refer to it in events: by name, also as uid."""
    return {"kind": "Node", "name": name, "uid": name}


def event_name(subject: str, nanoseconds: int) -> str:
    """`<object name>.<hex nanoseconds>`, the name the API server's event recorder gives."""
    return f"{subject}.{nanoseconds:x}"


def event(
    involved: Obj,
    reason: str,
    message: str,
    *,
    name: str,
    namespace: str,
    first: datetime,
    last: datetime,
    resource_version: str,
    uid: str,
    count: int = 1,
    warning: bool = False,
    component: str = "kubelet",
    host: str | None = None,
) -> Obj:
    """A core/v1 Event as client-go's recorder writes it: seen `count` times from `first` to `last`,
    reported by `component` (on `host`, for a node's agents)."""
    source: Obj = {"component": component}
    if host is not None:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "count": count,
        "eventTime": None,
        "firstTimestamp": timestamp(first),
        "involvedObject": involved,
        "kind": "Event",
        "lastTimestamp": timestamp(last),
        "message": message,
        "metadata": {
            "creationTimestamp": timestamp(first),
            "name": name,
            "namespace": namespace,
            "resourceVersion": resource_version,
            "uid": uid,
        },
        "reason": reason,
        "reportingComponent": component,
        "reportingInstance": host or "",
        "source": source,
        "type": "Warning" if warning else "Normal",
    }


def scheduler_event(
    involved: Obj,
    reason: str,
    message: str,
    *,
    name: str,
    namespace: str,
    at: datetime,
    event_time: str,
    resource_version: str,
    uid: str,
    instance: str,
    series: Obj | None = None,
) -> Obj:
    """An event of the scheduler: written as events.k8s.io/v1, read back as core/v1 (eventTime set, the
    legacy timestamps null; `series` when it repeated). FailedScheduling is a warning, Scheduled not."""
    failed = reason == "FailedScheduling"
    event = {
        "action": "Scheduling" if failed else "Binding",
        "apiVersion": "v1",
        "eventTime": event_time,
        "firstTimestamp": None,
        "involvedObject": involved,
        "kind": "Event",
        "lastTimestamp": None,
        "message": message,
        "metadata": {
            "creationTimestamp": timestamp(at),
            "name": name,
            "namespace": namespace,
            "resourceVersion": resource_version,
            "uid": uid,
        },
        "reason": reason,
        "reportingComponent": "default-scheduler",
        "reportingInstance": instance,
        "source": {},
        "type": "Warning" if failed else "Normal",
    }
    if series:
        event["series"] = series
    return event


# ---- Services and Endpoints


def service(metadata: Obj, cluster_ip: str, ports: list[Obj], selector: Obj | None = None) -> Obj:
    """A ClusterIP Service (`cluster_ip` "None" for a headless one); no selector, no managed Endpoints."""
    spec: Obj = {
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": ports,
    }
    if selector:
        spec["selector"] = selector
    spec.update(sessionAffinity="None", type="ClusterIP")
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def endpoint_address(ip: str, node: str, pod_name: str, namespace: str, pod_uid: str) -> Obj:
    """One pod's address in an Endpoints subset."""
    target = {"kind": "Pod", "name": pod_name, "namespace": namespace, "uid": pod_uid}
    return {"ip": ip, "nodeName": node, "targetRef": target}


def endpoint_subset(ready: list[Obj], not_ready: list[Obj], ports: list[Obj]) -> Obj:
    """A subset of an Endpoints object: the ready addresses, the not ready ones, the ports they serve."""
    subset: Obj = {}
    if ready:
        subset["addresses"] = ready
    if not_ready:
        subset["notReadyAddresses"] = not_ready
    subset["ports"] = ports
    return subset


def endpoints(metadata: Obj, subsets: list[Obj] | None = None) -> Obj:
    """An Endpoints object; without subsets when the Service selects nothing that serves."""
    obj: Obj = {"apiVersion": "v1", "kind": "Endpoints", "metadata": metadata}
    if subsets:
        obj["subsets"] = subsets
    return obj


# ---- Deployments and ReplicaSets


def pod_template(labels: Obj, spec: Obj, annotations: Obj | None = None) -> Obj:
    """The pod template a controller stores (no creation time: it is not an object yet)."""
    metadata: Obj = {"annotations": annotations} if annotations is not None else {}
    return {"metadata": {**metadata, "creationTimestamp": None, "labels": labels}, "spec": spec}


def deployment_condition(
    kind: str, status: str, reason: str, message: str, since: datetime, updated: datetime | None = None
) -> Obj:
    """A Deployment condition (Available, Progressing) true or false since `since`, last updated at
    `updated` (`since` unless given)."""
    return {
        "lastTransitionTime": timestamp(since),
        "lastUpdateTime": timestamp(updated or since),
        "message": message,
        "reason": reason,
        "status": status,
        "type": kind,
    }


def deployment(metadata: Obj, replicas: int, selector: Obj, template: Obj, status: Obj) -> Obj:
    """An apps/v1 Deployment with the default rolling-update strategy."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": selector},
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate",
            },
            "template": template,
        },
        "status": status,
    }


def replica_set(metadata: Obj, replicas: int, selector: Obj, template: Obj, status: Obj) -> Obj:
    """An apps/v1 ReplicaSet."""
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": metadata,
        "spec": {"replicas": replicas, "selector": {"matchLabels": selector}, "template": template},
        "status": status,
    }


# ---- Nodes


def node_condition(
    kind: str, status: str, reason: str, message: str, since: datetime, heartbeat: datetime
) -> Obj:
    """A node condition in `status` since `since`, last reported at `heartbeat`."""
    return {
        "lastHeartbeatTime": timestamp(heartbeat),
        "lastTransitionTime": timestamp(since),
        "message": message,
        "reason": reason,
        "status": status,
        "type": kind,
    }


def node_resources(cpu: str, ephemeral_storage: str, memory: str, pods: str = "110") -> Obj:
    """A node's capacity or allocatable resources (no huge pages)."""
    return {
        "cpu": cpu,
        "ephemeral-storage": ephemeral_storage,
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": memory,
        "pods": pods,
    }


def node_info(
    *,
    boot_id: str,
    machine_id: str,
    system_uuid: str,
    container_runtime: str,
    kernel: str,
    kubelet_version: str,
    os_image: str,
) -> Obj:
    """What the kubelet reports of an amd64 Linux node's system."""
    return {
        "architecture": "amd64",
        "bootID": boot_id,
        "containerRuntimeVersion": container_runtime,
        "kernelVersion": kernel,
        "kubeProxyVersion": kubelet_version,
        "kubeletVersion": kubelet_version,
        "machineID": machine_id,
        "operatingSystem": "linux",
        "osImage": os_image,
        "systemUUID": system_uuid,
    }


def node(
    metadata: Obj,
    spec: Obj,
    *,
    addresses: list[Obj],
    allocatable: Obj,
    capacity: Obj,
    conditions: list[Obj],
    images: list[Obj],
    info: Obj,
) -> Obj:
    """A core/v1 Node whose kubelet listens on 10250."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": metadata,
        "spec": spec,
        "status": {
            "addresses": addresses,
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": images,
            "nodeInfo": info,
        },
    }


def node_image(names: list[str], size: int) -> Obj:
    """One image of a node's status.images: its digest and tag references, its size in bytes."""
    return {"names": names, "sizeBytes": size}
