"""Traffic is keyed by the Service the requests were sent to, not by the workload that answered them.

The chart runs a `<name>-v2` canary Deployment behind the Service `<name>`: Istio labels the canary's
requests `destination_workload=<name>-v2` but `destination_service_name=<name>`. Grouped by workload, a
canary answering 50% 5xx would leave the Service looking healthy.
"""

from __future__ import annotations

from incident_lib.diagnose import diagnose_service
from incident_lib.k8s.objects import parse_time
from incident_lib.metrics.catalogue import SIGNALS, promql
from incident_lib.snapshot import Snapshot

NS = "apps"
START = 1765965000  # 2025-12-17T09:50:00Z
STEPS = 10
# workload -> (requests/s, 5xx/s) as one caller's sidecar reports them (reporter="source")
WORKLOADS = {"payments": (10.0, 0.0), "payments-v2": (10.0, 5.0)}  # the canary answers 50% 5xx


def raw_series() -> list[dict[str, str]]:
    """The labels of the source-reported istio_requests_total series, as a mesh has them."""
    return [
        {
            "destination_service": f"payments.{NS}.svc.cluster.local",
            "destination_service_name": "payments",
            "destination_service_namespace": NS,
            "destination_workload": workload,
            "destination_workload_namespace": NS,
            "reporter": "source",
        }
        for workload in WORKLOADS
    ]


def response(signal: str, group: tuple[str, ...], value_of) -> dict:
    """The range-query response of `signal` when the series of `raw_series()` are summed `by (group)`."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for labels in raw_series():
        groups.setdefault(tuple(labels[g] for g in group), []).append(labels["destination_workload"])
    return {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": dict(zip(group, key, strict=True)),
                    "values": [[START + 15 * i, repr(value_of(workloads))] for i in range(STEPS)],
                }
                for key, workloads in groups.items()
            ],
        },
        "query": promql(signal, NS),
        "start": "2025-12-17T09:50:00Z",
        "end": "2025-12-17T09:52:15Z",
        "step": "15s",
    }


def error_ratio(workloads: list[str]) -> float:
    return sum(WORKLOADS[w][1] for w in workloads) / sum(WORKLOADS[w][0] for w in workloads)


def request_rate(workloads: list[str]) -> float:
    return sum(WORKLOADS[w][0] for w in workloads)


def pod(name: str, version: str, ip: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NS,
            "uid": f"uid-{name}",
            "creationTimestamp": "2025-12-17T09:00:00Z",
            "labels": {"app": "payments", "version": version},
        },
        "spec": {"containers": [{"name": "payments", "image": "registry.local/payments:1.0.0"}]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "payments",
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "state": {"running": {"startedAt": "2025-12-17T09:00:05Z"}},
                }
            ],
        },
    }


def canary_snapshot() -> Snapshot:
    group = ("destination_service_namespace", "destination_service_name")
    pods = [
        pod("payments-7c9d8f6b5-abcde", "v1", "10.244.1.10"),
        pod("payments-v2-5f4c3b2a1-fghij", "v2", "10.244.1.11"),
    ]
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "payments", "namespace": NS, "uid": "uid-svc"},
        "spec": {
            "selector": {"app": "payments"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "payments", "namespace": NS, "uid": "uid-ep"},
        "subsets": [
            {
                "addresses": [
                    {"ip": p["status"]["podIP"], "targetRef": {"kind": "Pod", "name": p["metadata"]["name"]}}
                    for p in pods
                ],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    return Snapshot(
        captured_at=parse_time("2025-12-17T09:53:00Z"),
        objects=[service, endpoints, *pods],
        metrics={
            f"istio_error_ratio.{NS}": response("istio_error_ratio", group, error_ratio),
            f"istio_request_rate.{NS}": response("istio_request_rate", group, request_rate),
        },
    )


def test_the_istio_profile_groups_by_the_service_called_not_the_workload_that_answered():
    for name, signal in SIGNALS.items():
        if signal.profile == "istio":
            query = promql(name, NS)
            assert signal.subject == "destination_service_name"
            assert "sum by (destination_service_namespace, destination_service_name" in query
            assert f'destination_service_namespace="{NS}"' in query and "destination_workload" not in query


def test_a_canary_answering_5xx_behind_one_service_makes_the_service_high_error_rate():
    snapshot = canary_snapshot()
    result = snapshot.metric("istio_error_ratio", NS)["data"]["result"]
    assert [r["metric"]["destination_service_name"] for r in result] == ["payments"]  # both workloads in one
    assert float(result[0]["values"][0][1]) == 0.25  # 5 of 20 requests/s

    diagnosis = diagnose_service(snapshot, NS, "payments")
    assert diagnosis.root_cause == "high_error_rate"
    assert diagnosis.severity == "critical"
    assert "25.0%" in diagnosis.evidence[0].value
    assert diagnosis.evidence[0].field == "istio_error_ratio"
