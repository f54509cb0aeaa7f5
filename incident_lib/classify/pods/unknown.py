"""`unknown`: the pod is not healthy and no rule explains why. Said plainly, with what was seen."""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts


@rule("Pod", "unknown", version=1, severity="warning", needs=("Job",))
def unknown(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.1 / 0.1 | phase / Ready condition
    - 0.05 | each container not ready: its state
    """
    pod = facts.pod
    app = [c for c in pod.containers if not c.init]
    running_ready = pod.phase == "Running" and app and all(c.ready and c.running for c in app)
    if running_ready or pod.phase == "Succeeded" or facts.owner_completed:
        return None
    evidence = [pod_evidence.pod_field(facts, "status.phase", pod.phase or "(none)", 0.1)]
    ready = pod.conditions.get("Ready")
    if ready:
        evidence.append(
            pod_evidence.pod_field(
                facts,
                "status.conditions[Ready]",
                f"{ready.get('status')}: {ready.get('message') or ready.get('reason', '')}",
                0.1,
            )
        )
    for container in pod.containers:
        state = next(iter(container.state), None)
        if state and not container.ready:
            detail = (container.state[state] or {}).get("reason", "")
            evidence.append(
                pod_evidence.container_status(facts, container, f"state.{state}", detail or state, 0.05)
            )
    recs = (
        Recommendation(
            action="Describe the pod and read its events: no rule recognised this state",
            why="the pod is not running and ready, and none of the known causes matched",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(
        f"The pod is not healthy (phase {pod.phase or 'unknown'}) and no rule matched.", tuple(evidence), recs
    )
