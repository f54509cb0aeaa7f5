"""`high_latency` and `high_error_rate`: what the Service's callers feel, from Istio's metrics (by
`destination_service_name`) or the services' own HTTP metrics (by `service`)."""

from __future__ import annotations

from tests.classify.objects import at, cited, diagnosis_of, range_response

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "payments", "namespace": "shop"},
    "spec": {"ports": [{"port": 80, "targetPort": 8080}]},  # no selector: the traffic alone is judged
}


def per_minute(*values: str) -> list[list]:
    """Samples one minute apart from 10:00, as Prometheus returns them."""
    return [[at(f"10:0{minute}"), value] for minute, value in enumerate(values)]


def p99_latency(*seconds: str) -> dict[str, dict]:
    series = {"metric": {"namespace": "shop", "service": "payments"}, "values": per_minute(*seconds)}
    return {"http_latency_p99.shop": range_response("http_latency_p99", series)}


def error_ratio(*ratios: str) -> dict[str, dict]:
    labels = {"destination_service_namespace": "shop", "destination_service_name": "payments"}
    series = {"metric": labels, "values": per_minute(*ratios)}
    return {"istio_error_ratio.shop": range_response("istio_error_ratio", series)}


def test_p99_latency_over_the_1_second_slo_is_high_latency():
    diagnosis = diagnosis_of(
        "Service", "payments", SERVICE, metrics=p99_latency("0.3", "1.4", "2.1", "1.8", "0.4")
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("high_latency", "warning")
    assert cited(diagnosis, "http_latency_p99") == (
        "p99 latency peaked at 2.10 s (threshold 1.00 s), over it in 3 of 5 samples from 2025-12-17T10:01:00Z"
    )
    assert diagnosis.summary.startswith("p99 latency of payments is over the 1 s SLO")


def test_p99_latency_under_the_slo_is_no_finding():
    diagnosis = diagnosis_of(
        "Service", "payments", SERVICE, metrics=p99_latency("0.3", "0.8", "0.9", "0.5", "0.4")
    )
    assert diagnosis.root_cause == "healthy"


def test_more_than_5_percent_of_5xx_is_a_high_error_rate():
    diagnosis = diagnosis_of(
        "Service", "payments", SERVICE, metrics=error_ratio("0.0", "0.12", "0.3", "0.25", "0.2")
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("high_error_rate", "critical")
    assert cited(diagnosis, "istio_error_ratio") == (
        "5xx ratio peaked at 30.0% (threshold 5.0%), over it in 4 of 5 samples from 2025-12-17T10:01:00Z"
    )
    assert diagnosis.summary.startswith("payments answers with 5xx too often (5xx ratio peaked at 30.0%")


def test_2_percent_of_5xx_is_within_the_threshold():
    diagnosis = diagnosis_of(
        "Service", "payments", SERVICE, metrics=error_ratio("0.01", "0.02", "0.02", "0.01", "0.0")
    )
    assert diagnosis.root_cause == "healthy"
