"""`crash_loop`: a container keeps exiting and the kubelet keeps restarting it.

Between two restarts a container's current state is `terminated`: under `restartPolicy: Always` (the
default) the kubelet starts it again, so an error exit seen there is the loop caught mid-turn.
"""

from __future__ import annotations

from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.exit_codes import describe_exit
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.pod import Container, Pod

REPEATED = 3  # restarts that make a loop even before the kubelet says CrashLoopBackOff


@rule("Pod", "crash_loop", version=1, severity="critical", explains=("pod_failed",))
def crash_loop(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 | `state.waiting.reason = CrashLoopBackOff`
    - 0.5 | `state.terminated` with a non-zero exit in a running pod under `restartPolicy: Always`
    - 0.3 / 0.1 | `restartCount` (≥ 3 / fewer)
    - 0.2 | last exit code, with its meaning
    - 0.2 | the latest `BackOff` event
    - 0.05 | last line of the previous log
    """
    looping = [c for c in facts.pod.containers if _is_looping(c) or _exited_to_restart(facts.pod, c)]
    if not looping:
        return None
    container = looping[0]
    evidence: list[Evidence] = []
    if container.waiting_reason == "CrashLoopBackOff":
        evidence.append(
            pod_evidence.container_status(facts, container, "state.waiting.reason", "CrashLoopBackOff", 0.7)
        )
    ended = _exited_to_restart(facts.pod, container)
    if ended:
        evidence.append(
            pod_evidence.container_status(
                facts,
                container,
                "state.terminated",
                f"{ended.get('reason') or 'terminated'}, {describe_exit(ended.get('exitCode'))}; "
                "restartPolicy Always restarts it",
                0.5,
                at=ended.get("finishedAt"),
            )
        )
    evidence.append(
        pod_evidence.container_status(
            facts,
            container,
            "restartCount",
            container.restart_count,
            0.3 if container.restart_count >= REPEATED else 0.1,
        )
    )
    exit_code = ended.get("exitCode") if ended else None
    if container.last_terminated and not ended:
        exit_code = container.last_terminated.get("exitCode")
        evidence.append(
            pod_evidence.container_status(
                facts,
                container,
                "lastState.terminated.exitCode",
                describe_exit(exit_code),
                0.2,
                at=container.last_terminated.get("finishedAt"),
            )
        )
    evidence += [pod_evidence.event(facts, e, 0.2) for e in facts.events_with("BackOff")[-1:]]
    log = pod_evidence.last_log_line(facts, container.name)
    if log:
        evidence.append(log)
    summary = (
        f"Container {container.name} keeps exiting"
        f"{' with ' + describe_exit(exit_code) if exit_code is not None else ''}"
        f" and has been restarted {container.restart_count} times."
    )
    return Match(summary, tuple(evidence), _recommendations(facts, container, tuple(evidence), log))


def ended_to_restart(pod: Pod, container: Container) -> dict | None:
    """The current termination of a container the kubelet will start again: a regular container of a
    running pod under `restartPolicy: Always`. None otherwise; a pod being deleted is excluded (its
    containers end on SIGTERM), and so is a finished one (evicted, failed)."""
    restarts = pod.phase == "Running" and pod.spec.get("restartPolicy", "Always") == "Always"
    if container.init or not restarts or pod.deletion_timestamp:
        return None
    return container.terminated


def _exited_to_restart(pod: Pod, container: Container) -> dict | None:
    """The error exit of a container about to be restarted: a crash loop between two turns."""
    ended = ended_to_restart(pod, container)
    return ended if ended and ended.get("exitCode", 0) != 0 else None


def _is_looping(container: Container) -> bool:
    if container.waiting_reason == "CrashLoopBackOff":
        return True
    last = container.last_terminated or {}
    return container.restart_count >= REPEATED and not container.ready and last.get("exitCode", 0) != 0


def _recommendations(
    facts: PodFacts, container: Container, evidence: tuple[Evidence, ...], log: Evidence | None
) -> tuple[Recommendation, ...]:
    pod = facts.pod
    recs = [
        Recommendation(
            action=f"Read the log of the crashed instance of {container.name}",
            why="the exit code says how the process ended; its last lines say why",
            evidence=evidence[:2],
            command=f"kubectl logs -n {pod.namespace} {pod.name} -c {container.name} --previous --tail=100",
        ),
        Recommendation(
            action="Compare the command, arguments, environment and mounted config with the last working "
            "version, and roll back if a change started the loop",
            why="a container that exits right after start usually has a bad command, config or dependency",
            evidence=evidence[:1],
            command=f"kubectl rollout history {pod.workload} -n {pod.namespace}"
            if pod.workload.startswith(("deployment/", "statefulset/", "daemonset/"))
            else f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    ]
    if log:
        recs.insert(
            0,
            Recommendation(
                action="Start from the last line the crashed instance printed",
                why="it is the process's own account of the failure",
                evidence=(log,),
                command=log.lookup,
            ),
        )
    return tuple(recs)
