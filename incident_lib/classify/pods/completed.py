"""`completed`: the pod ran to completion (a Job's pod, a one-off task): not a problem."""

from __future__ import annotations

from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts


@rule("Pod", "completed", version=1, severity="info", needs=("Job",))
def completed(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.8 | `status.phase = Succeeded`
    - 0.1 | each container terminated `Completed`
    - 0.3 + 0.6 | retried Job: a Failed pod of a Job that has since completed
    """
    pod = facts.pod
    if pod.phase == "Failed" and facts.owner_completed:
        # A failed attempt of a Job that a retry completed: history, not a finding.
        owner = pod.owner["name"]
        evidence = (
            pod_evidence.pod_field(facts, "status.phase", "Failed", 0.3),
            pod_evidence.pod_field(
                facts, "metadata.ownerReferences", f"Job {owner}, which has since completed", 0.6
            ),
        )
        return Match(f"A failed attempt of Job {owner}, which a retry completed.", evidence)
    if pod.phase != "Succeeded":
        return None
    evidence = [pod_evidence.pod_field(facts, "status.phase", "Succeeded", 0.8)]
    for container in pod.containers:
        if container.terminated and not container.init:
            evidence.append(
                pod_evidence.container_status(
                    facts,
                    container,
                    "state.terminated.reason",
                    f"{container.terminated.get('reason')} (exit {container.terminated.get('exitCode')})",
                    0.1,
                    at=container.terminated.get("finishedAt"),
                )
            )
    return Match("The pod ran to completion and exited successfully.", tuple(evidence))
