"""Render the app chart with Helm's own engine (helm-python-sdk) and parse what it produces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python
import yaml

CHART = Path(__file__).resolve().parents[2] / "helm" / "app"
RELEASE, NAMESPACE = "lab", "apps"
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}

#: Values that differ from the defaults on every axis the templates branch on.
CUSTOM_VALUES: dict[str, Any] = {
    "image": {"tag": "1.2.3"},
    "services": {
        "payments-service": {
            "port": 9090,
            "env": {"FAULT_LATENCY_MS": 250},
            "canary": {"enabled": True, "tag": "1.3.0-rc1", "replicas": 1},
        },
        "users-service": {"replicas": 3},
    },
    "diagnostics": {"port": 8001, "incidents": {"persistence": {"enabled": True}, "workers": 4}},
    "labImage": {"tag": "2.0.0-rc1", "pullPolicy": "Always"},
    "prometheusUrl": "https://prometheus.example.org",
    "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}, "limits": {"memory": "200Mi"}},
    "sweep": {"enabled": False},
    "monitoring": {"dashboard": {"enabled": False}, "serviceMonitor": {"labels": {"release": "monitoring"}}},
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that rejects duplicate mapping keys (the API server's strict decoding does too)."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {duplicates}", node.start_mark)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def render(values: dict[str, Any] | None = None, namespace: str = NAMESPACE) -> dict[str, str]:
    """The chart rendered offline into release namespace `namespace`: template path → manifest text."""
    with helm_python.Chart.load(CHART) as chart:
        return chart.render(values, name=RELEASE, namespace=namespace)


def objects(values: dict[str, Any] | None = None, namespace: str = NAMESPACE) -> list[dict[str, Any]]:
    """Every Kubernetes object the chart renders with `values` (NOTES.txt excluded)."""
    return [
        doc
        for path, text in render(values, namespace).items()
        if path.endswith((".yaml", ".yml"))
        for doc in yaml.load_all(text, Loader=_UniqueKeyLoader)
        if doc
    ]


def of_kind(rendered: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The rendered objects of `kind`."""
    return [o for o in rendered if o["kind"] == kind]


def pod_specs(rendered: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(object name, pod spec) of every workload: Deployments and CronJobs."""
    for obj in rendered:
        if obj["kind"] == "Deployment":
            yield obj["metadata"]["name"], obj["spec"]["template"]["spec"]
        elif obj["kind"] == "CronJob":
            yield obj["metadata"]["name"], obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]


_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9, "": 1}


def quantity_bytes(quantity: str) -> float:
    """A Kubernetes memory quantity ("256Mi", "300M", "1Gi") in bytes."""
    match = re.fullmatch(r"([0-9.]+)(Ki|Mi|Gi|k|M|G|)", str(quantity))
    assert match, f"unexpected quantity {quantity!r}"
    return float(match.group(1)) * _UNITS[match.group(2)]
