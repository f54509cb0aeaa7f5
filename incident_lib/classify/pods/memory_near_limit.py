"""`memory_near_limit`: the working set is at 90% or more of the limit: the next OOM kill is near."""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.objects import format_time
from incident_lib.k8s.quantity import format_bytes


@rule("Pod", "memory_near_limit", version=1, severity="warning", needs=("memory_working_set",))
def memory_near_limit(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 | a running container's last working-set sample ≥ 90% of its limit
    - 0.2 | growth since the last drop, with the minutes left to the limit
    """
    series = facts.metrics.get("memory_working_set")
    if series is None:
        return None
    ratio = facts.thresholds.memory_near_ratio
    for container in facts.pod.containers:
        samples, limit = series.container(container.name), container.memory_limit
        if samples.empty or not limit or not container.running:
            continue  # a container waiting to restart holds no memory: its last samples are history
        latest = samples.iloc[-1]
        if latest["value"] < ratio * limit:
            continue
        evidence = [
            pod_evidence.metric(
                series,
                f"{container.name}: {format_bytes(latest['value'])} of the "
                f"{format_bytes(limit)} limit ({latest['value'] / limit:.0%}) at the last sample",
                0.7,
                at=format_time(latest["timestamp"]),
            )
        ]
        trend = _growth_per_minute(samples)
        if trend > 0:
            minutes = (limit - latest["value"]) / trend
            evidence.append(
                pod_evidence.metric(
                    series, f"growing {format_bytes(trend)}/min: the limit in about {minutes:.0f} min", 0.2
                )
            )
        pod = facts.pod
        recs = (
            Recommendation(
                action=f"Raise the memory limit of {container.name} or find what holds the memory",
                why="at this level the kernel OOM-kills the container on the next allocation burst",
                evidence=tuple(evidence),
                command=f"kubectl top pod -n {pod.namespace} {pod.name} --containers",
            ),
        )
        return Match(
            f"{container.name} is at {latest['value'] / limit:.0%} of its memory limit.",
            tuple(evidence),
            recs,
        )
    return None


def _growth_per_minute(samples) -> float:
    """Bytes per minute between the first and last sample of the current run (after the last drop)."""
    values = samples["value"].to_list()
    start = max((i for i in range(1, len(values)) if values[i] < values[i - 1]), default=0)
    first, last = samples.iloc[start], samples.iloc[-1]
    minutes = (last["timestamp"] - first["timestamp"]).total_seconds() / 60
    return (last["value"] - first["value"]) / minutes if minutes > 0 else 0.0
