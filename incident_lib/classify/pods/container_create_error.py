"""`container_create_error`: the runtime cannot create or start the container process."""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

WAITING = frozenset({"CreateContainerError", "RunContainerError", "ContainerCannotRun", "StartError"})
TERMINATED = frozenset({"StartError", "ContainerCannotRun"})


@rule("Pod", "container_create_error", version=1, severity="critical", explains=("pod_failed", "crash_loop"))
def container_create_error(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.8 | waiting `CreateContainerError`, `RunContainerError`, … or terminated `StartError`,
      `ContainerCannotRun`
    - 0.1 | the runtime's message
    """
    evidence = []
    for container in facts.pod.containers:
        if container.waiting_reason in WAITING:
            evidence.append(
                pod_evidence.container_status(
                    facts, container, "state.waiting.reason", container.waiting_reason, 0.8
                )
            )
            message = (container.waiting or {}).get("message")
            if message:
                evidence.append(
                    pod_evidence.container_status(facts, container, "state.waiting.message", message, 0.1)
                )
        for path, terminated in container.terminations():
            if terminated.get("reason") in TERMINATED:
                sub = path.split(".", 1)[1]
                evidence.append(
                    pod_evidence.container_status(
                        facts,
                        container,
                        f"{sub}.reason",
                        terminated["reason"],
                        0.8,
                        at=terminated.get("finishedAt"),
                    )
                )
                if terminated.get("message"):
                    evidence.append(
                        pod_evidence.container_status(
                            facts, container, f"{sub}.message", terminated["message"][:500], 0.1
                        )
                    )
    if not evidence:
        return None
    pod = facts.pod
    recs = (
        Recommendation(
            action="Fix what the runtime rejects (the message names it: a mount, the command, a resource "
            "setting, the security context)",
            why="the container runtime failed before the process ran, so the application never started",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(
        f"The runtime could not create or start the container: {evidence[0].value}.", tuple(evidence), recs
    )
