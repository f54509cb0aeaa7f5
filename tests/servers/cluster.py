"""What the API double serves: the shipped OOM drill's recorded objects and logs, and generated pods."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from incident_lib.k8s.objects import iter_objects

ROOT = Path(__file__).resolve().parents[2]
OOM_DRILL = ROOT / "incidents" / "oom-drill"


def recorded_objects() -> list[dict]:
    """Every object of incidents/oom-drill/k8s/*.json, as the cluster held them."""
    objects = []
    for file in sorted((OOM_DRILL / "k8s").glob("*.json")):
        objects.extend(iter_objects(json.loads(file.read_text())))
    return objects


def recorded_logs() -> dict[tuple[str, str, str, bool], str]:
    """The drill's container logs, keyed (namespace, pod, container, previous)."""
    logs = {}
    for file in (OOM_DRILL / "logs").glob("*/*/*.log"):
        namespace, pod = file.parts[-3], file.parts[-2]
        previous = file.name.endswith(".previous.log")
        container = file.name.removesuffix(".log").removesuffix(".previous")
        logs[(namespace, pod, container, previous)] = file.read_text()
    return logs


def generated_pods(namespace: str, count: int) -> list[dict]:
    """`count` healthy, running pods of one Deployment, shaped like the drill's apps pods, with the
    `managedFields` an API server keeps on each (the controller's fields and the kubelet's status)."""
    template = next(
        o for o in recorded_objects() if o["kind"] == "Pod" and o["metadata"]["namespace"] == "apps"
    )
    pods = []
    for i in range(count):
        pod = copy.deepcopy(template)
        name = f"load-{i:05d}"
        pod["metadata"].update(name=name, namespace=namespace, uid=f"00000000-0000-4000-8000-{i:012d}")
        pod["metadata"].pop("ownerReferences", None)
        pod["metadata"]["labels"] = {"app": "load"}
        pod["metadata"]["managedFields"] = _managed_fields(pod)
        pods.append(pod)
    return pods


def _managed_fields(pod: dict) -> list[dict]:
    created = pod["metadata"].get("creationTimestamp")
    labels = {"labels": pod["metadata"]["labels"]}
    controller = {"f:metadata": _fields(labels), "f:spec": _fields(pod["spec"])}
    return [
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": created,
         "fieldsType": "FieldsV1", "fieldsV1": controller},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": created,
         "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": {"f:status": _fields(pod["status"])}},
    ]  # fmt: skip


def _fields(value) -> dict:
    """A FieldsV1 set: `f:<field>` for a field, `k:{"name":…}` for an item of a list keyed by name or type."""
    if isinstance(value, dict):
        return {f"f:{key}": _fields(item) for key, item in value.items()}
    if isinstance(value, list) and all(isinstance(i, dict) and ("name" in i or "type" in i) for i in value):
        return {
            "k:" + json.dumps({k: i[k] for k in ("name", "type") if k in i}, separators=(",", ":")): {
                ".": {},
                **_fields(i),
            }
            for i in value
        }
    return {}
