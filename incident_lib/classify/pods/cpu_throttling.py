"""`cpu_throttling`: the CFS quota throttles the container in a large share of its periods."""

from __future__ import annotations

import math

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.thresholds import SUSTAINED
from incident_lib.facts import PodFacts


@rule("Pod", "cpu_throttling", version=1, severity="warning", needs=("cpu_throttling",))
def cpu_throttling(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.75 | throttled share of CFS periods over 25% in ≥ 3 samples
    - 0.05 | the CPU limit (context)
    """
    series = facts.metrics.get("cpu_throttling")
    if series is None:
        return None
    limit = facts.thresholds.throttling_ratio
    for container in facts.pod.containers:
        samples = series.container(container.name)
        values = [v for v in samples["value"].to_list() if math.isfinite(v)]
        over = [v for v in values if v > limit]
        if len(over) < SUSTAINED:
            continue
        evidence = [
            pod_evidence.metric(
                series,
                f"{container.name}: throttled in {max(over):.0%} of CFS periods at peak, "
                f"over {limit:.0%} in {len(over)} of {len(values)} samples",
                0.75,
            )
        ]
        if container.cpu_limit:
            evidence.append(
                pod_evidence.container_spec(
                    facts, container, "resources.limits.cpu", f"{container.cpu_limit:g} cores", 0.05
                )
            )
        pod = facts.pod
        recs = (
            Recommendation(
                action=f"Raise or remove the CPU limit of {container.name}, or lower its CPU use",
                why="throttled periods stall request handling even while the node has idle CPU",
                evidence=tuple(evidence),
                command=f"kubectl set resources {pod.workload} -n {pod.namespace} -c {container.name} "
                "--limits=cpu=<NEW_LIMIT>",
            ),
        )
        return Match(
            f"{container.name} is CPU-throttled ({max(over):.0%} of periods).", tuple(evidence), recs
        )
    return None
