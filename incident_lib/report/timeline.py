"""An incident's timeline in UTC, merged from changes (objects created, written, rolled out: the change
index of `incident_lib.changes`), events, container terminations and restarts, and metric threshold
crossings; each row names the command or PromQL that shows it again.

Merging rules, so a timeline reads like one:
- an Event seen several times is one row with its count (`x14`) and when it was last seen;
- the same event (type, reason and message, with the object's own name taken out) about several
  objects within `MERGE_WITHIN` of the first is one row listing the objects, its count the sum;
- the same Event read twice (a bundle holding it in two files) counts once (same uid);
- routine Normal events (an image pulled, a container created and started) within `MERGE_WITHIN` of
  the first are one row, whatever object they are about: they say the workload started, nothing more;
- every time is UTC: API times with an offset (`+01:00`) and Prometheus' epoch seconds are normalised;
- one row per signal: a Service's latency or 5xx crossings come from the first traffic profile in which
  it crosses (Istio, else the services' own HTTP metrics), as the rules read them, never from both.
The alerts of an incident record (firing at `startsAt`, resolved at `endsAt`) are rows too
(`alert_entries`). Rows are ordered by time, then by source (changes, events, status, metrics,
alerts), subject and text: the same snapshot gives the same timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from incident_lib.alert_replay import labels_text
from incident_lib.changes import Change, change_index
from incident_lib.classify.thresholds import DEFAULTS, Thresholds
from incident_lib.k8s.event import Event
from incident_lib.k8s.field_lookup import field_lookup
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.analysis import steps_up
from incident_lib.metrics.catalogue import SIGNALS
from incident_lib.metrics.pod import Series, range_lookup
from incident_lib.snapshot import Snapshot
from incident_lib.text_safety import safe_text

MERGE_WITHIN = timedelta(minutes=5)
SOURCES = ("change", "event", "pod.status", "prometheus", "alert")  # the order of rows at the same second
ROUTINE = ("Pulling", "Pulled", "Created", "Started")  # Normal events of every container start
PROFILES = ("istio", "http")  # the traffic profiles, in the order the rules read them
MIB = 2**20


@dataclass(frozen=True)
class TimelineEntry:
    """One row: when (UTC), where it comes from, about what, what happened, and how to see it again."""

    at: datetime
    source: str
    subject: str
    what: str
    lookup: str
    count: int = 1
    until: datetime | None = None
    warning: bool = False
    objects: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # event messages and names come from the cluster: no secrets, no terminal control sequences
        object.__setattr__(self, "subject", safe_text(self.subject))
        object.__setattr__(self, "what", safe_text(self.what))

    @property
    def times(self) -> str:
        """`x14` for a row seen 14 times, empty for a single occurrence."""
        return f"x{self.count}" if self.count > 1 else ""

    def sort_key(self) -> tuple:
        return (self.at, SOURCES.index(self.source), self.subject, self.what)


def build_timeline(
    snapshot: Snapshot,
    namespaces: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
    thresholds: Thresholds = DEFAULTS,
) -> list[TimelineEntry]:
    """The timeline of `namespaces` (every namespace when empty), within `window` when given.

    Node events are kept for the nodes the pods in scope run on.
    """
    pods = [p for p in snapshot.view.pods if not namespaces or p.namespace in namespaces]
    nodes = {p.node_name for p in pods if p.node_name}
    entries = [
        *change_entries(change_index(snapshot.view, namespaces)),
        *event_entries(snapshot.view.of_kind("Event"), namespaces, nodes),
        *status_entries(pods, snapshot.captured_at),
        *metric_entries(snapshot, pods, namespaces or snapshot.namespaces(), thresholds),
    ]
    if window:
        entries = [e for e in entries if window[0] <= e.at <= window[1] or (e.until and e.until >= window[0])]
    return sorted(entries, key=TimelineEntry.sort_key)


# ---------------------------------------------------------------- changes


def change_entries(changes: Iterable[Change]) -> list[TimelineEntry]:
    """Each change as a row: `created: selects app=web`, `revision 3: app: image a:1 → a:2`."""
    return [
        TimelineEntry(
            at=c.at,
            source="change",
            subject=c.subject,
            what=f"{c.what}: {c.description}" if c.description else c.what,
            lookup=c.lookup,
        )
        for c in changes
    ]


# ---------------------------------------------------------------- events


def event_entries(
    events: Iterable[Event], namespaces: Sequence[str] = (), nodes: Iterable[str] = ()
) -> list[TimelineEntry]:
    """Events as rows, merged as the module docstring says; node events only for `nodes` when a
    namespace filter is given."""
    nodes = set(nodes)
    seen: set[str] = set()
    rows: list[tuple[tuple, Event, datetime, datetime]] = []
    for event in events:
        key = event.uid or f"{event.namespace}/{event.name}"
        if key in seen:
            continue
        seen.add(key)
        involved = event.involved
        if namespaces:
            if involved.get("kind") == "Node":
                if involved.get("name") not in nodes:
                    continue
            elif (involved.get("namespace") or event.namespace) not in namespaces:
                continue
        first = parse_time(_first_seen(event))
        last = parse_time(event.last_seen) or first
        if first is None:
            continue
        rows.append((_merge_key(event), event, first, last))
    rows.sort(key=lambda r: (r[2], r[1].reason, _object(r[1])))
    groups: list[list[tuple[tuple, Event, datetime, datetime]]] = []
    open_groups: dict[tuple, list] = {}
    for row in rows:
        group = open_groups.get(row[0])
        if group is None or row[2] - group[0][2] > MERGE_WITHIN:
            group = []
            groups.append(group)
            open_groups[row[0]] = group
        group.append(row)
    return [_event_row(group) for group in groups]


def _first_seen(event: Event) -> str | None:
    raw = event.raw
    return (
        raw.get("firstTimestamp")
        or raw.get("eventTime")
        or raw.get("lastTimestamp")
        or event.metadata.get("creationTimestamp")
    )


def _merge_key(event: Event) -> tuple:
    """Type, reason, the involved kind and the message with the object's name and uid taken out; one
    key for every routine event."""
    if _routine(event):
        return ("Normal", "routine", "", "")
    involved = event.involved
    message = event.message
    for token in (involved.get("uid"), involved.get("name")):
        if token:
            message = message.replace(token, "<object>")
    # generated suffixes (pod hashes) differ between the pods of one workload
    message = re.sub(r"\b[0-9a-f]{8,10}-[b-z2-9]{5}\b", "<pod>", message)
    return (event.type, event.reason, involved.get("kind", ""), message)


def _routine(event: Event) -> bool:
    return event.type == "Normal" and event.reason in ROUTINE


def _object(event: Event) -> str:
    involved = event.involved
    namespace = involved.get("namespace") or ("" if involved.get("kind") == "Node" else event.namespace)
    return f"{involved.get('kind', '')} {namespace + '/' if namespace else ''}{involved.get('name', '')}"


def _event_row(group: list[tuple[tuple, Event, datetime, datetime]]) -> TimelineEntry:
    _, event, first, _ = group[0]
    objects = tuple(dict.fromkeys(_object(e) for _, e, _, _ in group))
    last = max(r[3] for r in group)
    count = sum(e.count for _, e, _, _ in group)
    subject = (
        objects[0]
        if len(objects) == 1
        else f"{', '.join(objects[:3])}" + (f" and {len(objects) - 3} more" if len(objects) > 3 else "")
    )
    what = f"{event.reason}: {event.message}"
    if _routine(event):
        reasons = ", ".join(dict.fromkeys(e.reason for _, e, _, _ in group))
        what = f"{reasons}: routine container start (image pulls, containers created and started)"
    if len(objects) > 1:
        what += f" (the same on {len(objects)} objects)"
    return TimelineEntry(
        at=first,
        source="event",
        subject=subject,
        what=what,
        lookup=_event_lookup(event, single=len(objects) == 1),
        count=count,
        until=last if last > first else None,
        warning=event.type == "Warning",
        objects=objects,
    )


def _event_lookup(event: Event, single: bool) -> str:
    involved = event.involved
    selector = "type=Normal" if _routine(event) else f"reason={event.reason}"
    if single:
        selector = (
            f"involvedObject.kind={involved.get('kind', '')},involvedObject.name={involved.get('name', '')},"
            + selector
        )
    if involved.get("kind") == "Node" or not single:
        where = "-A" if involved.get("kind") == "Node" else f"-n {event.namespace}"
    else:
        where = f"-n {involved.get('namespace') or event.namespace}"
    return f"kubectl get events {where} --field-selector {selector}"


# ---------------------------------------------------------------- alerts


def alert_entries(alerts: Iterable[dict]) -> list[TimelineEntry]:
    """Each alert of an incident record (`incident.json`) firing at its `startsAt`, and resolved at its
    `endsAt` once Alertmanager said so."""
    out = []
    for alert in alerts:
        subject = alert_subject(alert)
        lookup = alert.get("generator_url") or f"amtool alert query alertname={alert['name']}"
        severity = (alert.get("labels") or {}).get("severity")
        out.append(
            TimelineEntry(
                at=parse_time(alert["starts_at"]),
                source="alert",
                subject=subject,
                what=f"alert {alert['name']} firing" + (f" (severity {severity})" if severity else ""),
                lookup=lookup,
                warning=True,
            )
        )
        if alert.get("status") == "resolved" and alert.get("ends_at"):
            out.append(
                TimelineEntry(
                    parse_time(alert["ends_at"]), "alert", subject, f"alert {alert['name']} resolved", lookup
                )
            )
    return out


def alert_subject(alert: dict) -> str:
    """The first subject the alert's labels name (`Pod default/x`), else its labels that say where."""
    for s in alert.get("subjects") or []:
        return (
            f"{s['kind']} {s['namespace']}/{s['name']}" if s.get("namespace") else f"{s['kind']} {s['name']}"
        )
    return labels_text(alert.get("labels") or {})


# ---------------------------------------------------------------- pod status


def status_entries(pods: Iterable[Pod], captured_at: datetime) -> list[TimelineEntry]:
    """Each container termination the pods' status records, and what a container waits on at capture."""
    out = []
    for pod in pods:
        subject = f"Pod {pod.namespace}/{pod.name}"
        for container in pod.containers:
            for path, terminated in container.terminations():
                finished = parse_time(terminated.get("finishedAt"))
                if finished is None:
                    continue
                reason = terminated.get("reason") or "terminated"
                started = parse_time(terminated.get("startedAt"))
                ran = f", ran {duration(finished - started)}" if started else ""
                out.append(
                    TimelineEntry(
                        at=finished,
                        source="pod.status",
                        subject=subject,
                        what=f"container {container.name} terminated: {reason} "
                        f"(exit {terminated.get('exitCode')}{ran})",
                        lookup=field_lookup(pod, f"status.{path}"),
                        warning=reason != "Completed",
                    )
                )
            if container.waiting_reason:
                out.append(
                    TimelineEntry(
                        at=captured_at,
                        source="pod.status",
                        subject=subject,
                        what=f"at capture: container {container.name} waiting in {container.waiting_reason} "
                        f"after {container.restart_count} restarts",
                        lookup=field_lookup(pod, f"status.containerStatuses[{container.name}].state.waiting"),
                        warning=True,
                    )
                )
    return out


def duration(delta: timedelta) -> str:
    """`1h02m05s`, `9m00s`, `32s`: a span as people read it in a timeline."""
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{seconds:02d}s"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


# ---------------------------------------------------------------- metrics


def metric_entries(
    snapshot: Snapshot, pods: list[Pod], namespaces: Iterable[str], thresholds: Thresholds = DEFAULTS
) -> list[TimelineEntry]:
    """Restarts (each step of the restart counter), memory reaching `memory_near_ratio` of the limit,
    and traffic crossing the latency and error thresholds (and coming back)."""
    out: list[TimelineEntry] = []
    if snapshot.metrics:
        for pod in pods:
            metrics = snapshot.view.metrics(pod.namespace).for_subject(pod.name)
            out += _restarts(pod, metrics.get("restarts"))
            out += _memory(pod, metrics.get("memory_working_set"), thresholds.memory_near_ratio)
    for namespace in namespaces:
        for signal, line, title, unit in (
            ("latency_p99", thresholds.slo_p99_seconds, "p99 latency", "s"),
            ("error_ratio", thresholds.max_error_ratio, "5xx ratio", ""),
        ):
            out += _crossings(snapshot, signal, namespace, line, title, unit)
    return out


def _frame(snapshot: Snapshot, signal: str, namespace: str):
    body = snapshot.metric(signal, namespace)
    if body is None:
        return None, ""
    from incident_lib.metrics.frames import response_frame

    lookup = range_lookup(body["query"], body.get("start", ""), body.get("end", ""), body.get("step", ""))
    return response_frame(body), lookup


def _restarts(pod: Pod, series: Series | None) -> list[TimelineEntry]:
    if series is None:
        return []
    return [
        TimelineEntry(
            at=at,
            source="prometheus",
            subject=f"Pod {pod.namespace}/{pod.name}",
            what=f"container {container} restart count {int(before)} → {int(after)}",
            lookup=series.lookup,
            warning=True,
        )
        for container, rows in series.frame.groupby("container", sort=True)
        for at, before, after in steps_up(rows)
    ]


def _memory(pod: Pod, series: Series | None, fraction: float) -> list[TimelineEntry]:
    if series is None:
        return []
    out = []
    for container_name, rows in series.frame.groupby("container", sort=True):
        container = pod.container(container_name)
        limit = container.memory_limit if container else None
        if not limit:
            continue
        line = fraction * limit
        for at, value in _upward(rows, line):
            out.append(
                TimelineEntry(
                    at=at,
                    source="prometheus",
                    subject=f"Pod {pod.namespace}/{pod.name}",
                    what=f"container {container_name} memory working set {value / MIB:.1f}Mi reached "
                    f"{fraction:.0%} of its {limit / MIB:.0f}Mi limit",
                    lookup=series.lookup,
                    warning=True,
                )
            )
    return out


def _crossings(
    snapshot: Snapshot, signal: str, namespace: str, line: float, title: str, unit: str
) -> list[TimelineEntry]:
    """Each time a Service's `signal` (`latency_p99`, `error_ratio`) crosses `line`, from the first
    profile in which it does, as the traffic rules read them."""
    out: list[TimelineEntry] = []
    done: set[str] = set()
    for profile in PROFILES:
        frame, lookup = _frame(snapshot, f"{profile}_{signal}", namespace)
        if frame is None or frame.empty:
            continue
        label = SIGNALS[f"{profile}_{signal}"].subject
        groups = frame.groupby(label, sort=True) if label in frame else [("", frame)]
        for name, rows in groups:
            crossed = _crossed(rows, line) if name not in done else []
            if crossed:
                done.add(name)
            subject = f"service {namespace}/{name}" if name else f"namespace {namespace}"
            out += [
                TimelineEntry(
                    at,
                    "prometheus",
                    subject,
                    f"{title} {verb} {line:g}{unit} ({value:.3g}{unit})",
                    lookup,
                    warning=verb == "rose above",
                )
                for at, verb, value in crossed
            ]
    return out


def _crossed(rows, line: float) -> list[tuple[datetime, str, float]]:
    """(time, "rose above" or "back under", value) each time the samples cross `line`."""
    out, above = [], False
    for stamp, value in zip(rows["timestamp"].to_list(), rows["value"].to_list(), strict=True):
        if value != value:  # NaN: no traffic in that step, the state carries on
            continue
        if (value > line) != above:
            above = value > line
            out.append((stamp.to_pydatetime(), "rose above" if above else "back under", value))
    return out


def _upward(rows, line: float) -> list[tuple[datetime, float]]:
    """(time, value) of each sample at or above `line` whose previous sample (or gap) was below it."""
    out, above, previous = [], False, None
    for stamp, value in zip(rows["timestamp"].to_list(), rows["value"].to_list(), strict=True):
        if previous is not None and (stamp - previous).total_seconds() > 60:
            above = False  # a gap (the container was not running) starts a new instance
        if value >= line and not above:
            out.append((stamp.to_pydatetime(), float(value)))
        above, previous = value >= line, stamp
    return out


# ---------------------------------------------------------------- views


COLUMNS = ("time (UTC)", "source", "subject", "what", "seen", "lookup")


def timeline_rows(entries: Iterable[TimelineEntry]) -> list[dict[str, str]]:
    """Rows of plain strings, one per entry: what the frame, the text and the Markdown show."""
    return [
        {
            "time (UTC)": format_time(e.at),
            "source": e.source,
            "subject": e.subject,
            "what": e.what,
            "seen": e.times + (f" until {format_time(e.until)[11:]}" if e.until and e.count > 1 else ""),
            "lookup": e.lookup,
        }
        for e in entries
    ]


def timeline_frame(entries: Iterable[TimelineEntry]):
    """The timeline as a DataFrame (for notebooks)."""
    import pandas as pd

    return pd.DataFrame(timeline_rows(entries), columns=list(COLUMNS))


def timeline_text(entries: Iterable[TimelineEntry]) -> str:
    """Time, source, subject, what and count, one line per entry (no lookups): a stable plain-text view."""
    lines = []
    for row in timeline_rows(entries):
        seen = f" [{row['seen']}]" if row["seen"] else ""
        lines.append(f"{row['time (UTC)']}  {row['source']:<10}  {row['subject']}: {row['what']}{seen}")
    return "\n".join(lines) or "no events, terminations or threshold crossings in scope"


def timeline_markdown(entries: Iterable[TimelineEntry]) -> str:
    """The timeline as a Markdown table with the lookup of each row."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in timeline_rows(entries):
        cells = [row[c] for c in COLUMNS]
        cells[-1] = f"`{cells[-1]}`" if cells[-1] else ""
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def first(entries: Iterable[TimelineEntry], warning: bool = True) -> TimelineEntry | None:
    """The earliest entry (a warning one by default), or None."""
    return next((e for e in entries if e.warning or not warning), None)
