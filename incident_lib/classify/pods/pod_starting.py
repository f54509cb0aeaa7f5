"""`pod_starting`: a pod inside its start-up allowance, with nothing wrong seen yet. Not a problem.

Every rollout has pods that are not ready for a while: Pending until placed and pulled, ContainerCreating,
running but not ready until the readiness probe first passes. Reporting them as unknown or as failing
probes pages someone for a deploy. A pod is starting when nothing failed (no restart, no termination,
no waiting reason other than ContainerCreating or PodInitializing, no Warning event other than a
readiness or startup probe's `Unhealthy`, which are cited) and it is younger than its allowance:
STARTUP_GRACE from its creation until its containers run, and for a running container that is not
ready, the time its probes may take from the container's start: each probe's initialDelaySeconds plus
periodSeconds x failureThreshold (Kubernetes' defaults when unset), the startup probe's only while it
has not passed (`started` is not true). A time after the snapshot's (a clock ahead of the one that
took it) proves nothing young. Past the allowance, the other rules judge the pod as any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_lib.classify.evidence import Evidence
from incident_lib.classify.pods import cite
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.k8s.pod import Container

STARTUP_GRACE = timedelta(minutes=2)  # creation to running: scheduling, volumes, a usual image pull
STARTING_REASONS = frozenset({"", "ContainerCreating", "PodInitializing"})
PROBE_WARNINGS = ("readiness probe", "startup probe")  # what a not-yet-ready container may log
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3}


@rule("Pod", "pod_starting", version=1, severity="info", explains=("probe_failure", "unknown"))
def pod_starting(facts: PodFacts) -> Match | None:
    pod = facts.pod
    app = [c for c in pod.containers if not c.init]
    # Youth needs the time the pod was seen: a snapshot that does not record it proves no pod young.
    if not facts.now_known or pod.phase not in ("Pending", "Running") or pod.deletion_timestamp or not app:
        return None
    probe_warnings = _probe_warnings(facts)
    if all(c.ready and c.running for c in app) or probe_warnings is None:
        return None
    created = parse_time(pod.metadata.get("creationTimestamp"))
    if created is None or created > facts.now:
        return None
    evidence = [cite.pod_field(facts, "metadata.creationTimestamp", _age(facts, created), 0.3)]
    for container in app:
        if container.ready:
            continue
        started = parse_time((container.running or {}).get("startedAt"))
        if started is None:  # not running yet: inside the grace from the pod's creation
            if not _young(facts, created, STARTUP_GRACE):
                return None
            state = f"waiting: {container.waiting_reason}" if container.waiting_reason else "not started"
            evidence.append(cite.container_status(facts, container, "state", state, 0.3))
            continue
        allowance = probe_allowance(container)
        if not _young(facts, started, allowance):
            return None
        evidence += _not_ready_yet(facts, container, started, allowance)
    evidence += [cite.event(facts, e, 0.0) for e in probe_warnings[-1:]]
    which = "its container is" if len(app) == 1 else "its containers are"
    failed = ", only probes that have not passed yet" if probe_warnings else ""
    return Match(
        f"The pod is starting: {which} inside the start-up allowance, with no restart, "
        f"error or warning{failed}.",
        tuple(evidence),
    )


def probe_allowance(container: Container) -> timedelta:
    """How long after its start a container may take to become ready: its startup probe's budget while
    that probe has not passed, and its readiness probe's."""
    kinds = ("readiness",) if container.status.get("started") is True else ("startup", "readiness")
    seconds = 0
    for kind in kinds:
        probe = container.probe(kind)
        if probe is not None:
            delay, period, failures = (_whole(probe, key) for key in PROBE_DEFAULTS)
            seconds += delay + period * failures
    return timedelta(seconds=seconds)


def _whole(probe: dict, key: str) -> int:
    """A probe's whole-number field, Kubernetes' default when it is unset, null or not a number."""
    try:
        return int(probe.get(key) if probe.get(key) is not None else PROBE_DEFAULTS[key])
    except (TypeError, ValueError):
        return PROBE_DEFAULTS[key]


def _young(facts: PodFacts, since: datetime | None, allowance: timedelta) -> bool:
    return since is not None and timedelta(0) <= facts.now - since <= allowance


def _probe_warnings(facts: PodFacts) -> list[Event] | None:
    """The Warning events of a pod in which nothing failed (all of them a probe that has not passed
    yet), or None when something did fail."""
    pod = facts.pod
    if pod.condition_is("PodScheduled", "False"):
        return None
    for container in pod.containers:
        ended = container.terminated is not None and not container.init  # an init container's end is normal
        if container.restart_count or container.last_terminated or ended:
            return None
        if container.waiting_reason not in STARTING_REASONS:
            return None
    warnings = [e for e in facts.events if e.type == "Warning"]
    probes = [e for e in warnings if e.reason == "Unhealthy" and e.message.lower().startswith(PROBE_WARNINGS)]
    return probes if len(probes) == len(warnings) else None


def _not_ready_yet(
    facts: PodFacts, container: Container, started: datetime, allowance: timedelta
) -> list[Evidence]:
    since = int((facts.now - started).total_seconds())
    return [
        cite.container_status(
            facts,
            container,
            "state.running.startedAt",
            f"{format_time(started)}, {since} s ago",
            0.3,
            at=format_time(started),
        ),
        cite.container_status(
            facts,
            container,
            "ready",
            f"False, within the {int(allowance.total_seconds())} s its probes allow",
            0.3,
        ),
    ]


def _age(facts: PodFacts, created: datetime) -> str:
    return f"{format_time(created)}, {int((facts.now - created).total_seconds())} s before the snapshot"
