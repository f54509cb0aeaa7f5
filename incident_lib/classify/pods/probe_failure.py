"""`probe_failure`: a readiness probe keeps the pod out of service, or a liveness probe keeps killing it.

A liveness kill ends with exit 137 (or 143, or 0 for a process that stops on SIGTERM) and a reason that
is not OOMKilled; the reason, not the code, tells it from an OOM kill. It is read from the last
termination, or from the current one when the container is caught between the kill and its restart.
"""

from __future__ import annotations

from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.crash_loop import ended_to_restart
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.pod import Container

KILLED_BY_KUBELET = frozenset({0, 137, 143})


@rule("Pod", "probe_failure", version=1, severity="critical", explains=("crash_loop",))
def probe_failure(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.6 | liveness: latest `Unhealthy` liveness event
    - 0.4 | liveness: latest `Killing … failed liveness probe` event
    - 0.3 + 0.3 | liveness: restarted (or terminated, to be restarted) with exit 0/137/143 (not OOMKilled)
      and a liveness/startup probe set: the probe spec, the termination
    - 0.3 + 0.3 | readiness: running, not ready, readiness probe set: `ready`, the probe spec
    - 0.5 | readiness: latest `Unhealthy` readiness event
    """
    for container in facts.pod.containers:
        for kind, check in (("liveness", _liveness), ("readiness", _readiness)):
            evidence = check(facts, container)
            if evidence:
                return _match(facts, container, kind, evidence)
    return None


def _match(facts: PodFacts, container: Container, kind: str, evidence: list[Evidence]) -> Match:
    pod = facts.pod
    probe = container.probe(kind) or container.probe("startup") or {}
    recs = (
        Recommendation(
            action=f"Check the {kind} probe against what the container really serves (path, port, timeout, "
            "initial delay), and the dependency it checks",
            why=f"the {kind} probe fails while the process runs",
            evidence=tuple(evidence),
            command=pod_evidence.container_spec(facts, container, f"{kind}Probe", probe, 0.0).lookup,
        ),
        Recommendation(
            action="Look at the probe failures the kubelet recorded",
            why="each Unhealthy event carries the probe's own error",
            evidence=tuple(evidence),
            command=f"kubectl get events -n {pod.namespace} --field-selector "
            f"involvedObject.name={pod.name},reason=Unhealthy",
        ),
    )
    action = "restarts the container" if kind == "liveness" else "keeps the pod out of its Services"
    detail = f" ({_describe(probe)})" if probe else ""
    return Match(f"The {kind} probe of {container.name}{detail} fails and {action}.", tuple(evidence), recs)


def _liveness(facts: PodFacts, container: Container) -> list[Evidence]:
    unhealthy = [e for e in _probe_events(facts, container, "Unhealthy") if "liveness" in e.message.lower()]
    killing = [e for e in _probe_events(facts, container, "Killing") if "liveness" in e.message.lower()]
    current = ended_to_restart(facts.pod, container)
    path, last = (
        ("state.terminated", current)
        if current
        else ("lastState.terminated", container.last_terminated or {})
    )
    restarted_by_kubelet = (
        (container.restart_count > 0 or bool(current))
        and container.waiting_reason != "CrashLoopBackOff"  # backing off: the process exits on its own
        and bool(container.probe("liveness") or container.probe("startup"))
        and last.get("reason") != "OOMKilled"
        # an exit 0 seen now may be the process ending on its own; a restart after it is the kubelet's
        and last.get("exitCode") in (KILLED_BY_KUBELET - {0} if current else KILLED_BY_KUBELET)
    )
    # A failed liveness probe matters when it restarts the container; a passing blip is not a finding.
    if not (restarted_by_kubelet or ((unhealthy or killing) and container.restart_count > 0)):
        return []
    evidence = [pod_evidence.event(facts, e, 0.6) for e in unhealthy[-1:]] + [
        pod_evidence.event(facts, e, 0.4) for e in killing[-1:]
    ]
    if restarted_by_kubelet:
        evidence.append(
            pod_evidence.container_spec(
                facts,
                container,
                "livenessProbe",
                container.probe("liveness") or container.probe("startup"),
                0.3,
            )
        )
        evidence.append(
            pod_evidence.container_status(
                facts,
                container,
                path,
                f"{last.get('reason')} (exit {last.get('exitCode')}) after "
                f"{container.restart_count} restart(s)",
                0.3,
                at=last.get("finishedAt"),
            )
        )
    return evidence


def _readiness(facts: PodFacts, container: Container) -> list[Evidence]:
    unhealthy = [e for e in _probe_events(facts, container, "Unhealthy") if "readiness" in e.message.lower()]
    never_ready = bool(container.running) and not container.ready and bool(container.probe("readiness"))
    if not never_ready or _crashed(container):  # just restarted after a crash: not ready yet, not the probe
        return []
    evidence = [
        pod_evidence.container_status(facts, container, "ready", False, 0.3),
        pod_evidence.container_spec(facts, container, "readinessProbe", container.probe("readiness"), 0.3),
    ]
    return evidence + [pod_evidence.event(facts, e, 0.5) for e in unhealthy[-1:]]


def _crashed(container: Container) -> bool:
    last = container.last_terminated or {}
    return bool(last) and (last.get("reason") == "OOMKilled" or last.get("exitCode") not in KILLED_BY_KUBELET)


def _probe_events(facts: PodFacts, container: Container, reason: str) -> list:
    """Events of `reason` about this container (or about the pod, when the event names no container)."""
    marker = f"{{{container.name}}}"
    return [e for e in facts.events_with(reason) if not e.field_path or marker in e.field_path]


def _describe(probe: dict) -> str:
    if "httpGet" in probe:
        get = probe["httpGet"]
        return f"HTTP GET {get.get('path', '/')} on port {get.get('port')}"
    if "tcpSocket" in probe:
        return f"TCP port {probe['tcpSocket'].get('port')}"
    if "exec" in probe:
        return "exec " + " ".join(probe["exec"].get("command") or [])
    if "grpc" in probe:
        return f"gRPC port {probe['grpc'].get('port')}"
    return "probe"
