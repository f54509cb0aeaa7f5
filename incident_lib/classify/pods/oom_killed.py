"""`oom_killed`: the kernel killed a container at its memory limit, now or in its last run."""

from __future__ import annotations

from datetime import timedelta

from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.k8s.pod import Container
from incident_lib.k8s.quantity import format_bytes
from incident_lib.metrics.analysis import increases, peak_before

NEAR_LIMIT = 0.9  # a working set at 90% of the limit just before a kill corroborates the OOM
LOOKBACK = timedelta(minutes=6)  # restarts are counted after the back-off (up to 5 min) that follows a kill


@rule(
    "Pod",
    "oom_killed",
    version=1,
    severity="critical",
    explains=("crash_loop", "init_failure", "pod_failed", "probe_failure", "memory_near_limit"),
    needs=("restarts", "memory_working_set"),
)
def oom_killed(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.85 | a termination (current or last) with reason `OOMKilled`, each container
    - 0 | the memory limit, restartCount and waiting reason the summary states (context)
    - 0.2 | the latest `OOMKilling` event on the pod or its node
    - 0.1 | restarts counted by Prometheus in the window
    - 0.5 | working set ≥ 90% of the limit in the 6 min before the restarts
    """
    killed = [(c, path, t) for c in facts.pod.containers for path, t in c.terminations() if _is_oom(t)]
    if not killed:
        return None
    container, _, _ = max(killed, key=lambda k: k[2].get("finishedAt") or "")
    kills = [
        pod_evidence.container_status(
            facts,
            c,
            path.split(".", 1)[1] + ".reason",
            f"OOMKilled (exit {t.get('exitCode')})",
            0.85,
            at=t.get("finishedAt"),
        )
        for c, path, t in killed
    ]
    own = [k for k, (c, _, _) in zip(kills, killed, strict=True) if c is container]
    state = _state_evidence(facts, container)
    events = [pod_evidence.event(facts, e, 0.2) for e in _oom_events(facts)[-1:]]
    restarts = _restart_evidence(facts, container)
    memory = _memory_evidence(facts, container)
    limit = container.memory_limit
    limit_text = f"its {format_bytes(limit)} memory limit" if limit else "no memory limit"
    summary = (
        f"Container {container.name} was OOM-killed with {limit_text}"
        f"{', restarted ' + str(container.restart_count) + ' times' if container.restart_count else ''}"
        f"{', now in ' + container.waiting_reason if container.waiting_reason else ''}."
    )
    crashing = container.waiting_reason == "CrashLoopBackOff" or not container.ready
    return Match(
        summary=summary,
        evidence=(*kills, *state, *events, *restarts, *memory),
        recommendations=_recommendations(facts, container, (*own, *state[:1]), memory),
        severity=None if crashing else "warning",
    )


def _state_evidence(facts: PodFacts, container: Container) -> list[Evidence]:
    """What the summary says besides the kill: the limit, the restarts, the waiting state (context only)."""
    found = [
        pod_evidence.container_spec(
            facts,
            container,
            "resources.limits.memory",
            format_bytes(container.memory_limit) if container.memory_limit else "none",
            0.0,
        )
    ]
    if container.restart_count:
        found.append(
            pod_evidence.container_status(facts, container, "restartCount", container.restart_count, 0.0)
        )
    if container.waiting_reason:
        found.append(
            pod_evidence.container_status(
                facts, container, "state.waiting.reason", container.waiting_reason, 0.0
            )
        )
    return found


def _is_oom(terminated: dict) -> bool:
    # The reason decides, not the exit code: an OOMKilled with exit code 0 is still an OOM kill,
    # and a 137 without OOMKilled is a kill from outside (a liveness probe, a timeout).
    return terminated.get("reason") == "OOMKilled"


def _oom_events(facts: PodFacts) -> list:
    return [e for e in facts.events + facts.node_events if e.reason in ("OOMKilling", "OOMKilled")]


def _restart_evidence(facts: PodFacts, container: Container) -> list[Evidence]:
    series = facts.metrics.get("restarts")
    if series is None:
        return []
    times = increases(series.container(container.name))
    if not times:
        return []
    stamps = ", ".join(t.strftime("%H:%M:%S") for t in times)
    return [
        pod_evidence.metric(
            series, f"{len(times)} restarts in the window, at {stamps}", 0.1, at=format_time(times[-1])
        )
    ]


def _memory_evidence(facts: PodFacts, container: Container) -> list[Evidence]:
    """Memory at or near the limit just before the kills: at each restart the metrics counted, else at the
    termination times the pod records. Trying both means adding the restarts series never loses this."""
    series, limit = facts.metrics.get("memory_working_set"), container.memory_limit
    if series is None or not limit:
        return []
    samples = series.container(container.name)
    restart_series = facts.metrics.get("restarts")
    recorded = [parse_time(t.get("finishedAt")) for _, t in container.terminations() if t.get("finishedAt")]
    for kills in (increases(restart_series.container(container.name)) if restart_series else [], recorded):
        peaks = [peak_before(samples, t, LOOKBACK) for t in kills]
        near = [p for p in peaks if p is not None and p >= NEAR_LIMIT * limit]
        if near:
            break
    else:
        return []
    worst = min(near)
    return [
        pod_evidence.metric(
            series,
            f"working set reached {format_bytes(worst)} or more ({int(100 * worst / limit)}% of the "
            f"{format_bytes(limit)} limit) in the {int(LOOKBACK.total_seconds() // 60)} min before "
            f"{len(near)} of {len(kills)} restarts",
            0.5,
            at=format_time(kills[-1]),
        )
    ]


def _recommendations(
    facts: PodFacts, container: Container, killed: tuple[Evidence, ...], memory: list[Evidence]
) -> tuple[Recommendation, ...]:
    pod = facts.pod
    basis = (*killed, *memory)
    recs = [
        Recommendation(
            action=f"Raise the memory limit of {container.name} above its peak, or fix the memory growth",
            why="the kernel killed the container when its memory reached the cgroup limit",
            evidence=basis,
            command=f"kubectl set resources {pod.workload} -n {pod.namespace} -c {container.name} "
            "--limits=memory=<NEW_LIMIT>",
        ),
        Recommendation(
            action="Read what the killed instance was doing before it died",
            why="the previous instance's log shows the work that grew the memory",
            evidence=killed[:1],
            command=f"kubectl logs -n {pod.namespace} {pod.name} -c {container.name} --previous --tail=100",
        ),
    ]
    if memory:
        recs.append(
            Recommendation(
                action="Plot the working set against the limit over the incident window",
                why="the working set climbed to the limit before each kill",
                evidence=tuple(memory),
                command=memory[0].lookup,
            )
        )
    return tuple(recs)
