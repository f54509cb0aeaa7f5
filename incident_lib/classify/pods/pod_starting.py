"""`pod_starting`: a pod inside its start-up allowance, with nothing wrong seen yet. Not a problem.

Every rollout has pods that are not ready for a while: Pending until placed and pulled, ContainerCreating,
running but not ready until the readiness probe first passes. Reporting them as unknown or as failing
probes pages someone for a deploy. A pod is starting when nothing failed (no restart, no termination,
no waiting reason other than ContainerCreating or PodInitializing, no Warning event other than a
readiness or startup probe's `Unhealthy`, which are cited) and it is younger than its allowance:
STARTUP_GRACE from its creation until its containers run, and for a running container that is not
ready, the time its probes may take from the container's start: each probe's initialDelaySeconds plus
periodSeconds x failureThreshold (Kubernetes' defaults when unset or invalid). The kubelet probes
readiness only once the startup probe has passed; when it has (`started`), readiness's budget counts
from one period after the last startup probe failure, or, without such an event, after the whole
startup budget (an upper bound). While an init container runs (a migration, a wait for a dependency),
the app containers wait for it with no allowance: the pod is starting, and the evidence says for how
long. Times up to CLOCK_SLACK after the snapshot's are young (a live capture
reads its clock before it lists the pods); later ones, a clock far ahead, prove nothing young. Past the
allowance, the other rules judge the pod as any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_lib.classify.evidence import Evidence
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.k8s.pod import Container

STARTUP_GRACE = timedelta(minutes=2)  # creation to running: scheduling, volumes, a usual image pull
CLOCK_SLACK = timedelta(minutes=2)  # how far after the snapshot's time a pod's own times may be
STARTING_REASONS = frozenset({"", "ContainerCreating", "PodInitializing"})
PROBE_WARNINGS = ("readiness probe", "startup probe")  # what a not-yet-ready container may log
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3}
PROBE_FIELD_MAX = 86_400  # a day: larger probe settings are read as this, not as a crash
WAIT = "Nothing to fix yet: look again once the pods' start-up allowance (in their diagnoses) is over"


@rule("Pod", "pod_starting", version=1, severity="info", explains=("probe_failure", "unknown"))
def pod_starting(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.3 | `metadata.creationTimestamp`, with the pod's age
    - 0.3 | each container not running yet, less than 2 min after creation (or behind a running init
      container): its waiting reason
    - 0.3 | the init container running now, with how long it has run
    - 0.3 / 0.3 | each running, not-ready container inside its probes' allowance: `startedAt` / `ready`
    - 0 | the latest probe `Unhealthy` event (context)
    """
    pod = facts.pod
    app = [c for c in pod.containers if not c.init]
    # Youth needs the time the pod was seen: a snapshot that does not record it proves no pod young.
    if not facts.now_known or pod.phase not in ("Pending", "Running") or pod.deletion_timestamp or not app:
        return None
    probe_warnings = _probe_warnings(facts)
    if all(c.ready and c.running for c in app) or probe_warnings is None:
        return None
    created = parse_time(pod.metadata.get("creationTimestamp"))
    if created is None or created - facts.now > CLOCK_SLACK:
        return None
    evidence = [pod_evidence.pod_field(facts, "metadata.creationTimestamp", _age(facts, created), 0.3)]
    initializing = _running_init(pod.containers)
    if initializing is not None:
        evidence.append(_init_running(facts, initializing))
    for container in app:
        if container.ready:
            continue
        started = parse_time((container.running or {}).get("startedAt"))
        if started is None:  # not running yet: behind an init container, or inside the grace from creation
            if initializing is None and not _young(facts, created, STARTUP_GRACE):
                return None
            state = f"waiting: {container.waiting_reason}" if container.waiting_reason else "not started"
            evidence.append(pod_evidence.container_status(facts, container, "state", state, 0.3))
            continue
        allowance = _allowance(facts, container, started)
        if not _young(facts, started, allowance):
            return None
        evidence += _not_ready_yet(facts, container, started, allowance)
    evidence += [pod_evidence.event(facts, e, 0.0) for e in probe_warnings[-1:]]
    if initializing is not None:
        which = f"init container {initializing.name} is still running and the app waits for it"
    else:
        which = (
            "its container is" if len(app) == 1 else "its containers are"
        ) + " inside the start-up allowance"
    failed = ", only probes that have not passed yet" if probe_warnings else ""
    return Match(
        f"The pod is starting: {which}, with no restart, error or warning{failed}.",
        tuple(evidence),
    )


def _running_init(containers: list[Container]) -> Container | None:
    """The init container running now, if any; a sidecar (an init container with `restartPolicy:
    Always`) runs beside the app for good, so it is not one."""
    return next(
        (c for c in containers if c.init and c.running and c.spec.get("restartPolicy") != "Always"), None
    )


def _init_running(facts: PodFacts, container: Container) -> Evidence:
    started = parse_time(container.running.get("startedAt"))
    since = f", {_seconds_before(facts, started)} s ago" if started else ""
    return pod_evidence.container_status(
        facts,
        container,
        "state.running.startedAt",
        f"{container.running.get('startedAt', 'unknown')}{since}: the app containers wait for it",
        0.3,
        at=format_time(started) if started else None,
    )


def _allowance(facts: PodFacts, container: Container, started: datetime) -> timedelta:
    """How long after its start a container may take to become ready: its startup probe's budget, or up
    to one period after its last failure once it has passed, then its readiness probe's."""
    startup, readiness = container.probe("startup"), container.probe("readiness")
    last_failure = _last_startup_failure(facts, container)
    if startup is not None and container.status.get("started") is True and last_failure is not None:
        passed_by = last_failure + timedelta(seconds=_whole(startup, "periodSeconds"))
        return max(passed_by - started, timedelta(0)) + _budget(readiness)
    return _budget(startup) + _budget(readiness)


def _budget(probe: dict | None) -> timedelta:
    if probe is None:
        return timedelta(0)
    delay, period, failures = (_whole(probe, key) for key in PROBE_DEFAULTS)
    return timedelta(seconds=delay + period * failures)


def _whole(probe: dict, key: str) -> int:
    """A probe's whole-number field; Kubernetes' default when it is unset or not a number, at most a day."""
    value = probe.get(key) if isinstance(probe, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
        return PROBE_DEFAULTS[key]
    return min(int(value), PROBE_FIELD_MAX)


def _last_startup_failure(facts: PodFacts, container: Container) -> datetime | None:
    marker = f"{{{container.name}}}"
    times = [
        parse_time(e.last_seen)
        for e in facts.events_with("Unhealthy")
        if e.message.lower().startswith("startup probe") and (not e.field_path or marker in e.field_path)
    ]
    return max((t for t in times if t is not None), default=None)


def _young(facts: PodFacts, since: datetime | None, allowance: timedelta) -> bool:
    return since is not None and -CLOCK_SLACK <= facts.now - since <= allowance


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
    since = _seconds_before(facts, started)
    return [
        pod_evidence.container_status(
            facts,
            container,
            "state.running.startedAt",
            f"{format_time(started)}, {since} s ago",
            0.3,
            at=format_time(started),
        ),
        pod_evidence.container_status(
            facts,
            container,
            "ready",
            f"False, within the {int(allowance.total_seconds())} s its probes allow",
            0.3,
        ),
    ]


def _age(facts: PodFacts, created: datetime) -> str:
    return f"{format_time(created)}, {_seconds_before(facts, created)} s before the snapshot"


def _seconds_before(facts: PodFacts, moment: datetime) -> int:
    """Seconds from `moment` to the snapshot; 0 for a moment inside CLOCK_SLACK after it."""
    return max(0, int((facts.now - moment).total_seconds()))
