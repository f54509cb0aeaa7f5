"""`init_failure`: an init container fails, so the app containers never start."""

from __future__ import annotations

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.exit_codes import describe_exit
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.pod import Container


@rule("Pod", "init_failure", version=1, severity="critical", explains=("crash_loop", "pod_failed"))
def init_failure(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.5 | init container waiting (CrashLoopBackOff, …)
    - 0.6 | init container non-zero exit, with its meaning
    - 0.05 / 0.05 | `status.phase` / last log line
    """
    failing = [c for c in facts.pod.containers if c.init and _failed(c)]
    if not failing:
        return None
    container = failing[0]
    evidence = []
    if container.waiting_reason:
        evidence.append(
            pod_evidence.container_status(
                facts, container, "state.waiting.reason", container.waiting_reason, 0.5
            )
        )
    for path, terminated in container.terminations():
        if terminated.get("exitCode", 0) != 0:
            evidence.append(
                pod_evidence.container_status(
                    facts,
                    container,
                    path.split(".", 1)[1] + ".exitCode",
                    describe_exit(terminated.get("exitCode")),
                    0.6,
                    at=terminated.get("finishedAt"),
                )
            )
            break
    evidence.append(pod_evidence.pod_field(facts, "status.phase", facts.pod.phase, 0.05))
    log = pod_evidence.last_log_line(facts, container.name)
    if log:
        evidence.append(log)
    pod = facts.pod
    recs = (
        Recommendation(
            action=f"Read the log of init container {container.name} and fix what it waits for or runs",
            why="the app containers start only after every init container exits 0",
            evidence=tuple(evidence),
            command=f"kubectl logs -n {pod.namespace} {pod.name} -c {container.name} --previous --tail=100",
        ),
    )
    return Match(f"Init container {container.name} fails, so the pod never starts.", tuple(evidence), recs)


def _failed(container: Container) -> bool:
    if container.waiting_reason in ("CrashLoopBackOff", "RunContainerError"):
        return True
    return any(t.get("exitCode", 0) != 0 for _, t in container.terminations()) and not container.ready
