"""`healthy`: running, ready, and not restarting. A diagnosis too, with the evidence that says so."""

from __future__ import annotations

from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.quantity import format_bytes


@rule("Pod", "healthy", version=1, severity="info", needs=("memory_working_set",))
def healthy(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.3 / 0.5 | `status.phase = Running` / `Ready=True`
    - 0.2 | each container ready
    - 0.1 / 0 | each container's `restartCount` (0 / more)
    - 0.05 | working set against the limit, from Prometheus
    """
    pod = facts.pod
    app = [c for c in pod.containers if not c.init]
    if pod.phase != "Running" or not app or not all(c.ready and c.running for c in app):
        return None
    evidence = [pod_evidence.pod_field(facts, "status.phase", "Running", 0.3)]
    if pod.condition_is("Ready", "True"):
        evidence.append(pod_evidence.pod_field(facts, "status.conditions[Ready].status", "True", 0.5))
    restarts = sum(c.restart_count for c in app)
    evidence += [pod_evidence.container_status(facts, c, "ready", True, 0.2) for c in app]
    evidence += [
        pod_evidence.container_status(
            facts, c, "restartCount", c.restart_count, 0.1 if not c.restart_count else 0.0
        )
        for c in app
    ]
    evidence += _memory_headroom(facts)
    restarted = f", with {restarts} restart(s) in its history" if restarts else ", with no restarts"
    which = "The container is" if len(app) == 1 else f"All {len(app)} containers are"
    return Match(f"{which} running and ready{restarted}.", tuple(evidence))


def _memory_headroom(facts: PodFacts) -> list:
    """The latest working set against the limit, when metrics are there: how far from an OOM kill."""
    series = facts.metrics.get("memory_working_set")
    if series is None:
        return []
    found = []
    for container in facts.pod.containers:
        samples = series.container(container.name)
        limit = container.memory_limit
        if samples.empty or not limit:
            continue
        peak = float(samples["value"].max())
        found.append(
            pod_evidence.metric(
                series,
                f"{container.name}: peak {format_bytes(peak)} of the "
                f"{format_bytes(limit)} limit ({peak / limit:.0%})",
                0.05,
            )
        )
    return found
