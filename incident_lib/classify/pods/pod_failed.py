"""`pod_failed`: the pod ended in phase Failed and no more specific rule explains it.

In the vocabulary (docs/design.md) for failed pods whose cause has no name of its own: a `restartPolicy:
Never` container that exited non-zero, or a pod the kubelet rejected at admission (`OutOfcpu`).
"""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.exit_codes import describe_exit
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts


@rule("Pod", "pod_failed", version=1, severity="warning", needs=("Job",))
def pod_failed(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.5 / 0.3 / 0.05 | `status.phase = Failed` / `status.reason` / `status.message`
    - 0.3 / 0.05 | a container's non-zero exit code / last log line
    """
    pod = facts.pod
    if pod.phase != "Failed" or facts.owner_completed:
        return None
    evidence = [pod_evidence.pod_field(facts, "status.phase", "Failed", 0.5)]
    if pod.reason:
        evidence.append(pod_evidence.pod_field(facts, "status.reason", pod.reason, 0.3))
    if pod.message:
        evidence.append(pod_evidence.pod_field(facts, "status.message", pod.message, 0.05))
    for container in pod.containers:
        code = (container.terminated or {}).get("exitCode")
        if code not in (None, 0):
            evidence.append(
                pod_evidence.container_status(
                    facts,
                    container,
                    "state.terminated.exitCode",
                    describe_exit(code),
                    0.3,
                    at=container.terminated.get("finishedAt"),
                )
            )
            log = pod_evidence.last_log_line(facts, container.name)
            if log:
                evidence.append(log)
    cause = pod.reason or next(
        (str(e.value) for e in evidence if "exitCode" in e.field), "no reason recorded"
    )
    recs = (
        Recommendation(
            action="Read why the pod failed and its containers' last logs",
            why=f"the pod is Failed ({cause}) and will not be restarted in place",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(f"The pod failed: {cause}.", tuple(evidence), recs)
