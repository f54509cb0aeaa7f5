"""The types of the API fields the rules read, and reading an object leniently against them.

A bundle is not trusted, and is often made by hand: a field of another type than the API's (an
`exitCode` of "abc", a `finishedAt` that is a number or in month 13, a `containerStatuses` entry that is
a string) is read as absent, and noted, so that the rest of the diagnosis stands and says what it could
not read. Only the fields some rule or view reads are checked; the rest of an object is left as it is.

A shape is a JSON type (`str`, `int`, `bool`, `dict`, `list`), `TIME` (an RFC 3339 string), `NUMBER`,
`QUANTITY` or `INT_OR_STR`, a dict of the shapes of an object's fields, a one-element list (the shape of
every item) or a `Map` (the shape of every value of an object with free keys, such as labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incident_lib.k8s.objects import ObjectView, parse_time

TIME = "an RFC 3339 time"
NUMBER = "a number"
QUANTITY = "a quantity"
INT_OR_STR = "an integer or a string"


@dataclass(frozen=True)
class Map:
    """An object with free keys (labels, annotations, resource lists) whose values all have one shape."""

    values: Any


_ABSENT = object()
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    dict: "an object",
    list: "a list",
    float: "a number",
}

LABEL_SELECTOR = {
    "matchLabels": Map(str),
    "matchExpressions": [{"key": str, "operator": str, "values": [str]}],
}
NODE_SELECTOR_TERM = {
    "matchExpressions": [{"key": str, "operator": str, "values": [str]}],
    "matchFields": [{"key": str, "operator": str, "values": [str]}],
}
METADATA = {
    "name": str,
    "namespace": str,
    "uid": str,
    "resourceVersion": str,
    "generation": int,
    "labels": Map(str),
    "annotations": Map(str),
    "ownerReferences": [{"kind": str, "name": str, "uid": str, "controller": bool}],
    "creationTimestamp": TIME,
    "deletionTimestamp": TIME,
    "finalizers": [str],
    "managedFields": [{"manager": str, "operation": str, "subresource": str, "time": TIME}],
}
CONDITION = {
    "type": str,
    "status": str,
    "reason": str,
    "message": str,
    "lastTransitionTime": TIME,
    "lastUpdateTime": TIME,
    "lastProbeTime": TIME,
    "lastHeartbeatTime": TIME,
}
PROBE = {
    "httpGet": {"path": str, "port": INT_OR_STR, "scheme": str, "host": str},
    "tcpSocket": {"port": INT_OR_STR, "host": str},
    "grpc": {"port": int},
    "exec": {"command": [str]},
    "initialDelaySeconds": int,
    "periodSeconds": int,
    "timeoutSeconds": int,
    "failureThreshold": int,
    "successThreshold": int,
}
RESOURCES = {"limits": Map(QUANTITY), "requests": Map(QUANTITY)}
CONTAINER = {
    "name": str,
    "image": str,
    "command": [str],
    "args": [str],
    "ports": [{"name": str, "containerPort": int, "protocol": str}],
    "env": [{"name": str, "value": str}],
    "resources": RESOURCES,
    "livenessProbe": PROBE,
    "readinessProbe": PROBE,
    "startupProbe": PROBE,
    "volumeMounts": [{"name": str, "mountPath": str}],
}
STATE = {
    "waiting": {"reason": str, "message": str},
    "running": {"startedAt": TIME},
    "terminated": {
        "exitCode": int,
        "signal": int,
        "reason": str,
        "message": str,
        "startedAt": TIME,
        "finishedAt": TIME,
    },
}
CONTAINER_STATUS = {
    "name": str,
    "image": str,
    "ready": bool,
    "started": bool,
    "restartCount": int,
    "state": STATE,
    "lastState": STATE,
}
POD_SPEC = {
    "containers": [CONTAINER],
    "initContainers": [CONTAINER],
    "nodeName": str,
    "restartPolicy": str,
    "serviceAccountName": str,
    "nodeSelector": Map(str),
    "tolerations": [{"key": str, "operator": str, "value": str, "effect": str, "tolerationSeconds": int}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [NODE_SELECTOR_TERM]}
        }
    },
    "volumes": [
        {
            "name": str,
            "persistentVolumeClaim": {"claimName": str},
            "configMap": {"name": str},
            "secret": {"secretName": str},
        }
    ],
}
POD_STATUS = {
    "phase": str,
    "reason": str,
    "message": str,
    "startTime": TIME,
    "conditions": [CONDITION],
    "containerStatuses": [CONTAINER_STATUS],
    "initContainerStatuses": [CONTAINER_STATUS],
}
TEMPLATE = {"metadata": METADATA, "spec": POD_SPEC}
WORKLOAD_STATUS = {
    name: int
    for name in (
        "observedGeneration",
        "replicas",
        "readyReplicas",
        "availableReplicas",
        "updatedReplicas",
        "unavailableReplicas",
        "desiredNumberScheduled",
        "currentNumberScheduled",
        "numberReady",
        "numberAvailable",
        "numberUnavailable",
        "updatedNumberScheduled",
        "active",
        "failed",
        "succeeded",
    )
} | {"conditions": [CONDITION], "startTime": TIME, "completionTime": TIME}
WORKLOAD_SPEC = {
    "replicas": int,
    "backoffLimit": int,
    "completions": int,
    "parallelism": int,
    "selector": LABEL_SELECTOR,
    "template": TEMPLATE,
}
ENDPOINT_ADDRESS = {
    "ip": str,
    "hostname": str,
    "nodeName": str,
    "targetRef": {"kind": str, "namespace": str, "name": str, "uid": str},
}
HTTP_FAULT = {
    "delay": {"percentage": {"value": NUMBER}, "percent": NUMBER, "fixedDelay": str, "exponentialDelay": str},
    "abort": {"percentage": {"value": NUMBER}, "percent": NUMBER, "httpStatus": int},
}
# Kinds whose fields the rules read beyond metadata and conditions; other kinds get `_ANY_KIND`.
_STATUS = {"conditions": [CONDITION]}
KINDS = {
    "Pod": {"spec": POD_SPEC, "status": POD_STATUS},
    "Deployment": {"spec": WORKLOAD_SPEC, "status": WORKLOAD_STATUS},
    "ReplicaSet": {"spec": WORKLOAD_SPEC, "status": WORKLOAD_STATUS},
    "StatefulSet": {"spec": WORKLOAD_SPEC, "status": WORKLOAD_STATUS},
    "DaemonSet": {"spec": WORKLOAD_SPEC, "status": WORKLOAD_STATUS},
    "Job": {"spec": WORKLOAD_SPEC, "status": WORKLOAD_STATUS},
    "CronJob": {"spec": {"jobTemplate": {"metadata": METADATA, "spec": WORKLOAD_SPEC}}, "status": _STATUS},
    "Service": {
        "spec": {
            "type": str,
            "clusterIP": str,
            "externalName": str,
            "selector": Map(str),
            "ports": [{"name": str, "protocol": str, "port": int, "targetPort": INT_OR_STR, "nodePort": int}],
        },
        "status": _STATUS,
    },
    "Endpoints": {
        "subsets": [
            {
                "addresses": [ENDPOINT_ADDRESS],
                "notReadyAddresses": [ENDPOINT_ADDRESS],
                "ports": [{"name": str, "protocol": str, "port": int}],
            }
        ]
    },
    "Node": {
        "spec": {
            "unschedulable": bool,
            "taints": [{"key": str, "value": str, "effect": str, "timeAdded": TIME}],
        },
        "status": {
            "conditions": [CONDITION],
            "allocatable": Map(QUANTITY),
            "capacity": Map(QUANTITY),
            "addresses": [{"type": str, "address": str}],
            "nodeInfo": Map(str),
        },
    },
    "HorizontalPodAutoscaler": {
        "spec": {
            "minReplicas": int,
            "maxReplicas": int,
            "scaleTargetRef": {"apiVersion": str, "kind": str, "name": str},
        },
        "status": {"currentReplicas": int, "desiredReplicas": int, "conditions": [CONDITION]},
    },
    "LimitRange": {
        "spec": {
            "limits": [
                {
                    "type": str,
                    "max": Map(QUANTITY),
                    "min": Map(QUANTITY),
                    "default": Map(QUANTITY),
                    "defaultRequest": Map(QUANTITY),
                }
            ]
        }
    },
    "PersistentVolumeClaim": {
        "spec": {"volumeName": str, "storageClassName": str, "resources": RESOURCES},
        "status": {"phase": str, "conditions": [CONDITION]},
    },
    "ConfigMap": {"data": Map(str)},
    "Secret": {"data": Map(str)},
    "VirtualService": {"spec": {"hosts": [str], "http": [{"fault": HTTP_FAULT}]}},
    "PeerAuthentication": {"spec": {"selector": LABEL_SELECTOR, "mtls": {"mode": str}}},
    "Event": {
        "involvedObject": {"kind": str, "namespace": str, "name": str, "uid": str, "fieldPath": str},
        "regarding": {"kind": str, "namespace": str, "name": str, "uid": str, "fieldPath": str},
        "reason": str,
        "message": str,
        "note": str,
        "type": str,
        "count": int,
        "series": {"count": int, "lastObservedTime": TIME},
        "source": {"component": str, "host": str},
        "firstTimestamp": TIME,
        "lastTimestamp": TIME,
        "eventTime": TIME,
    },
}
_WHOLE = {kind: {"metadata": METADATA} | shape for kind, shape in KINDS.items()}
_ANY_KIND = {"metadata": METADATA, "spec": {}, "status": _STATUS}


def unreadable_fields(obj: dict) -> list[str]:
    """Drop from `obj`, in place, every field the rules read whose value is not of the API's type, and
    return one line for each (`status.containerStatuses[0].restartCount is a string, not an integer`).

    A field that is null is dropped silently: the API writes null for absent fields too.
    """
    dropped: list[str] = []
    _read(obj, _WHOLE.get(ObjectView(obj).kind, _ANY_KIND), (), dropped)
    return dropped


# A field's path is a pair (the parent's path, the key or index), written out only when the field is dropped:
# most fields are right, and a bundle of 20,000 pods has millions of them.
Path = tuple


def _read(value: Any, shape: Any, path: Path, dropped: list[str]) -> Any:
    """`value` read against `shape`, its wrong parts dropped (in place), or `_ABSENT` when it is wrong."""
    # Callers skip the call for the common case, a string, an integer or a boolean where one belongs
    # (`type(v) is not inner`): a quarter of the time on a large bundle.
    if value is None:
        return _ABSENT
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return _wrong(value, "an object", path, dropped)
        for key in [
            k
            for k, inner in shape.items()
            if k in value
            and type(value[k]) is not inner
            and _read(value[k], inner, (path, k), dropped) is _ABSENT
        ]:
            del value[key]
        return value
    if isinstance(shape, list):
        if not isinstance(value, list):
            return _wrong(value, "a list", path, dropped)
        inner = shape[0]
        kept = [
            v
            for i, v in enumerate(value)
            if type(v) is inner or _read(v, inner, (path, i), dropped) is not _ABSENT
        ]
        if len(kept) < len(value):
            value[:] = kept
        return value
    if isinstance(shape, Map):
        if not isinstance(value, dict):
            return _wrong(value, "an object", path, dropped)
        inner = shape.values
        for key in [
            k
            for k, v in value.items()
            if type(v) is not inner and _read(v, inner, (path, k), dropped) is _ABSENT
        ]:
            del value[key]
        return value
    return value if _fits(value, shape) else _wrong(value, _TYPE_NAMES.get(shape, shape), path, dropped)


def _fits(value: Any, shape: Any) -> bool:
    if isinstance(value, bool):  # JSON's true is no number
        return shape is bool
    if shape is TIME:
        return isinstance(value, str) and _is_time(value)
    if shape in (NUMBER, QUANTITY):
        return isinstance(value, int | float) or (shape is QUANTITY and isinstance(value, str))
    if shape is INT_OR_STR:
        return isinstance(value, int | str)
    return isinstance(value, shape)


def _is_time(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return False
    return True


def _wrong(value: Any, expected: str, path: Path, dropped: list[str]) -> object:
    dropped.append(f"{_written(path)} is {_type_name(value)}, not {expected}")
    return _ABSENT


def _written(path: Path) -> str:
    """`status.containerStatuses[0]` for the path ((((), "status"), "containerStatuses"), 0)."""
    parts = []
    while path:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".")


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)
