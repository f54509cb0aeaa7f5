"""The PromQL catalogue: one query per signal per namespace, never one per pod.

Resource signals aggregate `by (namespace, pod, container)` and traffic signals by the Service that
receives the requests, so one request answers for a whole namespace. The namespace is validated as a
DNS-1123 label before it is put between quotes, so no input can change what a query means. Two traffic
profiles: Istio's standard metrics (`istio_requests_total`, `istio_request_duration_milliseconds_bucket`)
and the services' own HTTP metrics (`http_requests_total`, `http_request_duration_seconds_bucket`).
Latencies are in seconds in both.

The Istio profile reads what the callers' proxies report (`reporter="source"`), grouped by the Service
the requests were sent to (`destination_service_namespace`, `destination_service_name`, the Kubernetes
Service's short name): that is what callers feel, and what a Service is diagnosed on. It is not grouped
by `destination_workload`, the Deployment that answered: one Service can route to several workloads (a
`<name>-v2` canary behind Service `<name>`), and a canary's 5xx are the Service's callers' 5xx.
Istio applies a VirtualService's fault injection (`fault.delay`, `fault.abort`) in the caller's sidecar,
and a caller's sidecar also sees the 503s of a destination it cannot reach at all; none of that shows in
what the destination's sidecar reports (`reporter="destination"`) or in the service's own `http_*`
metrics. Requests from outside the mesh are counted too when they come in through the ingress gateway,
whose proxy reports them as the source. Callers without a proxy that bypass the gateway (a pod outside
the mesh calling a Service directly) are not: the `http_*` profile still counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_lib.names import dns_label

_CONTAINERS = 'container!="", container!="POD"'
_BY_CONTAINER = "sum by (namespace, pod, container)"
_ISTIO = 'destination_service_namespace={ns}, reporter="source"'  # what callers see: see the docstring
_BY_DESTINATION = "sum by (destination_service_namespace, destination_service_name)"  # the Service called
_BY_SERVICE = "sum by (namespace, service)"


@dataclass(frozen=True)
class Signal:
    """A metric the diagnosis uses: its PromQL template (`{ns}` is the quoted namespace), unit and title.

    `profile` is `resources`, `istio` or `http`; `subject` names the label that identifies what a
    series is about (`pod` for resources, the Service receiving the requests for traffic).
    """

    name: str
    template: str
    unit: str
    title: str
    profile: str = "resources"
    subject: str = "pod"


def _quantile(q: float, profile: str) -> str:
    if profile == "istio":
        return (
            f"histogram_quantile({q}, {_BY_DESTINATION[:-1]}, le) "
            f"(rate(istio_request_duration_milliseconds_bucket{{{_ISTIO}}}[5m]))) / 1000"
        )
    return f"histogram_quantile({q}, {_BY_SERVICE[:-1]}, le) (rate(http_request_duration_seconds_bucket{{namespace={{ns}}}}[5m])))"


def _traffic(profile: str) -> tuple[Signal, ...]:
    if profile == "istio":
        total, by, subject = f"istio_requests_total{{{_ISTIO}", _BY_DESTINATION, "destination_service_name"
        errors = f'{total}, response_code=~"5.."}}'
    else:
        total, by, subject = "http_requests_total{namespace={ns}", _BY_SERVICE, "service"
        errors = f'{total}, status=~"5.."}}'
    rate = f"{by} (rate({total}}}[5m]))"
    return (
        Signal(f"{profile}_request_rate", rate, "requests/s", "Request rate", profile, subject),
        Signal(
            f"{profile}_error_ratio",
            f"{by} (rate({errors}[5m])) / {rate}",
            "ratio",
            "5xx ratio",
            profile,
            subject,
        ),
        *(
            Signal(
                f"{profile}_latency_p{int(q * 100)}",
                _quantile(q, profile),
                "seconds",
                f"p{int(q * 100)} latency",
                profile,
                subject,
            )
            for q in (0.5, 0.95, 0.99)
        ),
    )


SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal(
            "memory_working_set",
            f"{_BY_CONTAINER} (container_memory_working_set_bytes{{namespace={{ns}}, {_CONTAINERS}}})",
            "bytes",
            "Memory working set",
        ),
        Signal(
            "cpu_usage",
            f"{_BY_CONTAINER} (rate(container_cpu_usage_seconds_total{{namespace={{ns}}, {_CONTAINERS}}}[5m]))",
            "cores",
            "CPU usage",
        ),
        Signal(
            "cpu_throttling",
            f"{_BY_CONTAINER} (rate(container_cpu_cfs_throttled_periods_total{{namespace={{ns}}, {_CONTAINERS}}}[5m]))"
            f" / {_BY_CONTAINER} (rate(container_cpu_cfs_periods_total{{namespace={{ns}}, {_CONTAINERS}}}[5m]))",
            "ratio",
            "CPU throttled periods",
        ),
        Signal(
            "memory_limit",
            f'{_BY_CONTAINER} (kube_pod_container_resource_limits{{namespace={{ns}}, resource="memory"}})',
            "bytes",
            "Memory limit",
        ),
        Signal(
            "cpu_request",
            f'{_BY_CONTAINER} (kube_pod_container_resource_requests{{namespace={{ns}}, resource="cpu"}})',
            "cores",
            "CPU request",
        ),
        Signal(
            "restarts",
            f"{_BY_CONTAINER} (kube_pod_container_status_restarts_total{{namespace={{ns}}}})",
            "count",
            "Container restarts",
        ),
        Signal(
            "oom_terminations",
            f'{_BY_CONTAINER} (kube_pod_container_status_last_terminated_reason{{namespace={{ns}}, reason="OOMKilled"}})',
            "flag",
            "Last termination was OOMKilled",
        ),
        *_traffic("istio"),
        *_traffic("http"),
    )
}

POD_SIGNALS = (
    "memory_working_set",
    "cpu_usage",
    "cpu_throttling",
    "restarts",
)  # what the pod rules and plots read


def promql(signal: str, namespace: str) -> str:
    """Return the PromQL of `signal` for every pod (or Service) of `namespace`."""
    dns_label(namespace, "namespace")
    return SIGNALS[signal].template.replace("{ns}", f'"{namespace}"')
