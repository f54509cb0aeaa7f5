"""`high_latency` and `high_error_rate`: what the Service's callers feel, from either traffic profile
(Istio's standard metrics or the services' own HTTP metrics)."""

from __future__ import annotations

import math

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.thresholds import SUSTAINED
from incident_lib.facts import ObjectFacts
from incident_lib.k8s.objects import format_time
from incident_lib.k8s.selectors import describe
from incident_lib.metrics.pod import Series

PROFILES = ("istio", "http")


@rule(
    "Service",
    "high_latency",
    version=1,
    severity="warning",
    needs=tuple(f"{p}_{s}" for p in PROFILES for s in ("latency_p99", "latency_p95", "request_rate")),
)
def high_latency(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.75 / 0.4 | p99 over the SLO (`--slo-p99`, default 1 s) in ≥ 3 samples / in 1 or 2 samples
    - 0.1 | p95 over the SLO too
    - 0 | the request rate (context)
    """
    slo = facts.thresholds.slo_p99_seconds
    for profile in PROFILES:
        over = _over(facts.traffic.get(f"{profile}_latency_p99"), slo, "p99 latency", "s")
        if over is None:
            continue
        evidence = [over]
        p95 = _over(facts.traffic.get(f"{profile}_latency_p95"), slo, "p95 latency", "s", weight=0.1)
        evidence += [p95] if p95 else []
        evidence += _rate(facts, profile)
        svc = facts.obj
        recs = (
            Recommendation(
                action="Find the slow hop: the Service's own handlers, a dependency it calls, or injected "
                "delay (an Istio fault, a retry storm)",
                why=f"p99 latency is over the {slo:g} s SLO",
                evidence=tuple(evidence),
                command=f"kubectl get virtualservice,destinationrule -n {svc.namespace} -o yaml",
            ),
        )
        return Match(
            f"p99 latency of {svc.name} is over the {slo:g} s SLO ({over.value}).", tuple(evidence), recs
        )
    return None


@rule(
    "Service",
    "high_error_rate",
    version=1,
    severity="critical",
    needs=tuple(f"{p}_{s}" for p in PROFILES for s in ("error_ratio", "request_rate")),
)
def high_error_rate(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.75 / 0.4 | 5xx ratio over 5% in ≥ 3 samples / in 1 or 2 samples
    - 0 | the first cause in time of the namespace (correlation; context)
    """
    limit = facts.thresholds.max_error_ratio
    for profile in PROFILES:
        over = _over(facts.traffic.get(f"{profile}_error_ratio"), limit, "5xx ratio", "", percent=True)
        if over is None:
            continue
        evidence = [over, *_rate(facts, profile)]
        svc = facts.obj
        selector = describe(facts.spec.get("selector") or {})
        recs = (
            Recommendation(
                action="Read the failing requests' logs and the health of what the Service calls",
                why=f"more than {limit:.0%} of responses are 5xx",
                evidence=tuple(evidence),
                command=f"kubectl logs -n {svc.namespace} -l {selector} --tail=200 | grep -E ' 5[0-9]{{2}} '",
            ),
        )
        return Match(f"{svc.name} answers with 5xx too often ({over.value}).", tuple(evidence), recs)
    return None


def _over(
    series: Series | None, limit: float, what: str, unit: str, weight: float = 0.0, percent: bool = False
) -> Evidence | None:
    """Evidence that the series went over `limit`: the peak, how long, and when it started."""
    if series is None or series.frame.empty:
        return None
    frame = series.frame[series.frame["value"].map(math.isfinite)]
    over = frame[frame["value"] > limit]
    if over.empty:
        return None
    peak = float(over["value"].max())
    shown = (lambda v: f"{v:.1%}") if percent else (lambda v: f"{v:.2f} {unit}".strip())
    sustained = len(over) >= SUSTAINED
    return cite.metric(
        series,
        f"{what} peaked at {shown(peak)} (threshold {shown(limit)}), over it in {len(over)} of "
        f"{len(frame)} samples from {format_time(over['timestamp'].iloc[0])}",
        weight or (0.75 if sustained else 0.4),
        at=format_time(over["timestamp"].iloc[0]),
    )


def _rate(facts: ObjectFacts, profile: str) -> list[Evidence]:
    series = facts.traffic.get(f"{profile}_request_rate")
    if series is None or series.frame.empty:
        return []
    return [cite.metric(series, f"{float(series.frame['value'].mean()):.2f} requests/s on average", 0.0)]
