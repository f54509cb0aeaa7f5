"""The PromQL catalogue: one query per signal per namespace, never one per pod.

Every query aggregates `by (namespace, pod, container)`, so one request answers for every pod of a
namespace. The namespace is validated as a DNS-1123 label before it is put between quotes, so no
input can change what a query means.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_lib.names import dns_label

_CONTAINERS = 'container!="", container!="POD"'


@dataclass(frozen=True)
class Signal:
    """A metric the diagnosis uses: its PromQL template (`{ns}` is the quoted namespace) and unit."""

    name: str
    template: str
    unit: str
    title: str


SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal(
            "memory_working_set",
            "sum by (namespace, pod, container) "
            f"(container_memory_working_set_bytes{{namespace={{ns}}, {_CONTAINERS}}})",
            "bytes",
            "Memory working set",
        ),
        Signal(
            "cpu_usage",
            "sum by (namespace, pod, container) "
            f"(rate(container_cpu_usage_seconds_total{{namespace={{ns}}, {_CONTAINERS}}}[5m]))",
            "cores",
            "CPU usage",
        ),
        Signal(
            "restarts",
            "sum by (namespace, pod, container) (kube_pod_container_status_restarts_total{namespace={ns}})",
            "count",
            "Container restarts",
        ),
    )
}


def promql(signal: str, namespace: str) -> str:
    """Return the PromQL of `signal` for every pod of `namespace`."""
    dns_label(namespace, "namespace")
    return SIGNALS[signal].template.replace("{ns}", f'"{namespace}"')
