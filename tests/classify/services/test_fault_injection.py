"""`fault_injection`: an Istio VirtualService fault on the host of a Service its callers feel: the
change is the cause, the slow or failing Service the symptom it explains."""

from __future__ import annotations

from tests.classify.objects import at, cited, diagnosis_of, range_response

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "payments", "namespace": "shop"},
    "spec": {"ports": [{"port": 80, "targetPort": 8080}]},  # no selector: the traffic alone is judged
}


def virtual_service(host: str, fault: dict, name: str = "payments", **metadata) -> dict:
    """A VirtualService in `shop`, created at 09:58, whose one route sends `host` on with `fault`."""
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": name,
            "namespace": "shop",
            "creationTimestamp": "2025-12-17T09:58:00Z",
            **metadata,
        },
        "spec": {
            "hosts": [host],
            "http": [{"name": "drill", "fault": fault, "route": [{"destination": {"host": host}}]}],
        },
    }


DELAY = {"delay": {"fixedDelay": "2s", "percentage": {"value": 100}}}
ABORT = {"abort": {"httpStatus": 503, "percentage": {"value": 50}}}


def per_minute(*values: str) -> list[list]:
    """Samples one minute apart from 10:00, as Prometheus returns them."""
    return [[at(f"10:0{minute}"), value] for minute, value in enumerate(values)]


def istio(signal: str, *values: str, service: str = "payments") -> dict[str, dict]:
    labels = {"destination_service_namespace": "shop", "destination_service_name": service}
    return {f"{signal}.shop": range_response(signal, {"metric": labels, "values": per_minute(*values)})}


SLOW = istio("istio_latency_p99", "0.3", "2.1", "2.2", "2.1", "2.0")
FAILING = istio("istio_error_ratio", "0.0", "0.5", "0.5", "0.49", "0.5")


def test_a_delay_on_the_slow_services_host_is_the_cause_and_its_latency_the_symptom():
    vs = virtual_service("payments.shop.svc.cluster.local", DELAY)
    diagnosis = diagnosis_of("Service", "payments", SERVICE, vs, metrics=SLOW)
    assert (diagnosis.root_cause, diagnosis.severity) == ("fault_injection", "warning")
    assert diagnosis.other_causes[0][0] == "high_latency"
    assert diagnosis.summary.startswith(
        "VirtualService shop/payments injects delay 2s on 100% of requests to payments "
        "(created at 2025-12-17T09:58:00Z, 3m00s before the symptom). p99 latency of payments is over"
    )
    assert cited(diagnosis, "spec.http[0].fault.delay") == "delay 2s on 100% of requests"
    assert cited(diagnosis, "VirtualService/payments created") == (
        "fault: delay 2s on 100% of requests to payments.shop.svc.cluster.local"
    )
    assert cited(diagnosis, "istio_latency_p99").startswith("p99 latency peaked at 2.20 s")
    assert diagnosis.recommendations[0].command == (
        "kubectl patch virtualservice payments -n shop --type=json "
        """-p='[{"op": "remove", "path": "/spec/http/0/fault"}]'"""
    )


def test_an_abort_with_5xx_is_the_cause_of_the_error_rate_and_critical():
    vs = virtual_service("payments", ABORT)  # a short host: the Service of the VirtualService's namespace
    diagnosis = diagnosis_of("Service", "payments", SERVICE, vs, metrics=FAILING)
    assert (diagnosis.root_cause, diagnosis.severity) == ("fault_injection", "critical")
    assert [cause for cause, _ in diagnosis.other_causes] == ["high_error_rate"]
    assert cited(diagnosis, "spec.http[0].fault.abort") == "abort HTTP 503 on 50% of requests"


def test_the_latest_write_the_managed_fields_record_before_the_symptom_is_the_change_cited():
    managed = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2025-12-17T09:00:00Z"},
        {"manager": "kubectl-edit", "operation": "Update", "time": "2025-12-17T09:59:30Z"},
    ]
    vs = virtual_service("payments", DELAY, creationTimestamp="2025-12-17T09:00:00Z", managedFields=managed)
    diagnosis = diagnosis_of("Service", "payments", SERVICE, vs, metrics=SLOW)
    change = next(e for e in diagnosis.evidence if e.source == "change")
    assert (change.field, change.at, change.weight) == (
        "VirtualService/payments updated",
        "2025-12-17T09:59:30Z",
        0.3,
    )
    assert change.value.endswith("(by kubectl-edit, Update)")
    assert 'managedFields[?(@.manager=="kubectl-edit")].time' in change.lookup


def test_a_change_long_before_the_symptom_is_cited_as_context_only():
    vs = virtual_service("payments", DELAY, creationTimestamp="2025-12-16T10:00:00Z")
    diagnosis = diagnosis_of("Service", "payments", SERVICE, vs, metrics=SLOW)
    assert diagnosis.root_cause == "fault_injection"
    assert next(e for e in diagnosis.evidence if e.source == "change").weight == 0.0


def test_the_slow_callers_first_cause_names_the_change():
    backend = {**SERVICE, "metadata": {"name": "backend", "namespace": "shop"}}
    metrics = {"istio_latency_p99.shop": range_response(
        "istio_latency_p99",
        SLOW["istio_latency_p99.shop"]["data"]["result"][0],
        {"metric": {"destination_service_namespace": "shop", "destination_service_name": "backend"},
         "values": per_minute("0.3", "0.4", "1.9", "1.8", "1.9")},
    )}  # fmt: skip
    vs = virtual_service("payments", DELAY)
    diagnosis = diagnosis_of("Service", "backend", SERVICE, backend, vs, metrics=metrics)
    assert diagnosis.root_cause == "high_latency"
    assert diagnosis.summary.endswith(
        "First cause in time: VirtualService/payments created at 2025-12-17T09:58:00Z (fault: delay 2s on "
        "100% of requests to payments), behind service payments fault_injection."
    )


def test_a_fault_on_another_host_or_on_no_request_leaves_the_latency_as_it_is():
    other_host = virtual_service("orders.shop.svc.cluster.local", DELAY, name="orders")
    no_share = virtual_service("payments", {"delay": {"fixedDelay": "2s", "percentage": {"value": 0}}})
    no_percentage = virtual_service("payments", {"delay": {"fixedDelay": "2s"}}, name="unset")
    other_namespace = virtual_service("payments.other.svc.cluster.local", DELAY, name="elsewhere")
    for vs in (other_host, no_share, no_percentage, other_namespace):
        assert diagnosis_of("Service", "payments", SERVICE, vs, metrics=SLOW).root_cause == "high_latency"


def test_a_fault_callers_do_not_feel_is_no_finding():
    fast = istio("istio_latency_p99", "0.3", "0.4", "0.3", "0.4", "0.3")
    vs = virtual_service("payments", DELAY)
    assert diagnosis_of("Service", "payments", SERVICE, vs, metrics=fast).root_cause == "healthy"
    # a delay does not explain 5xx: the abort is what would
    assert diagnosis_of("Service", "payments", SERVICE, vs, metrics=FAILING).root_cause == "high_error_rate"
