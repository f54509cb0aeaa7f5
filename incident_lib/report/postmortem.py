"""A postmortem draft in the Google SRE shape, from a saved incident: for humans to finish, not to sign.

Everything the draft states comes from the bundle: the diagnoses (root cause with its evidence and
lookups), the UTC timeline (`incident_lib.report.timeline`) and the metrics. What only people know
(who noticed, what they decided, what went well) is left as headings to fill in. Impact figures say
where they come from; a figure the bundle cannot give (no traffic metrics, so no error budget) says so
instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.classify.thresholds import DEFAULTS, Thresholds
from incident_lib.durations import parse_duration
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.report.timeline import TimelineEntry, build_timeline, duration, timeline_markdown
from incident_lib.snapshot import Snapshot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BUDGET_PERIOD = timedelta(days=30)
CHANGE_REASONS = ("ScalingReplicaSet", "SuccessfulCreate", "Scheduled")  # what a rollout leaves behind

# What would stop each cause from coming back; the rules' own recommendations are the mitigations.
PREVENT: dict[str, str] = {
    "oom_killed": "Size the memory limit from the observed peak working set plus headroom (within the "
    "namespace's LimitRange cap), and alert on memory_near_limit before the kernel kills",
    "crash_loop": "Fail the rollout, not the pod: validate required settings at deploy time (chart "
    "values schema, a startup check in CI) so a missing one never reaches the cluster",
    "image_pull_error": "Pin images by digest from the registry the cluster pulls from, and check the "
    "tag exists in CI before the rollout",
    "config_error": "Ship the ConfigMap/Secret with the workload (same chart release) and check keys in CI",
    "service_no_endpoints": "Test the Service selector against the pod template labels in CI (helm template "
    "+ a label check)",
    "high_latency": "Set timeouts and retries per route from the latency SLO, and load-test the slow "
    "dependency",
    "fault_injection": "Keep injected faults to drills: label each drill VirtualService with its owner and "
    "end time, and alert on a VirtualService fault outside a drill",
}
PREVENT_DEFAULT = "Add the test, policy or alert that would have caught this before users did"
PROCESS = (
    "Confirm which alert fired first and when, and record the time to detect; if none fired, add one "
    "whose runbook link opens notebooks/diagnose.ipynb",
    "After the fix, re-run the sweep to confirm: incident-lab run notebooks/sweep.ipynb --fail-on critical",
)


AVAILABILITY = 0.999  # the availability objective the error budget is measured against


@dataclass(frozen=True)
class ImpactFigure:
    """One impact figure: what, how much, and where the number comes from."""

    label: str
    value: str
    source: str


@dataclass(frozen=True)
class ActionItem:
    """`mitigate` (restore service now), `prevent` (stop it coming back) or `process` (how we work)."""

    kind: str
    action: str
    why: str = ""
    command: str = ""


@dataclass(frozen=True)
class Postmortem:
    """The draft: every section as data, rendered by `markdown()`."""

    title: str
    captured_at: datetime
    root: Diagnosis | None
    findings: tuple[Diagnosis, ...]
    summary: str
    impact: tuple[ImpactFigure, ...]
    trigger: str
    detection: str
    resolution: str
    timeline: tuple[TimelineEntry, ...]
    action_items: tuple[ActionItem, ...]
    notes: str = ""
    figures: dict[str, str] = field(default_factory=dict)  # file name → caption


def draft_postmortem(
    snapshot: Snapshot,
    diagnoses: list[Diagnosis],
    thresholds: Thresholds = DEFAULTS,
    availability: float = AVAILABILITY,
    figures: Mapping[str, str] = (),
) -> Postmortem:
    """The draft for the findings among `diagnoses` (ranked, the first is the root cause).

    `figures` maps PNG file names to captions, for the figures saved beside the Markdown.
    """
    findings = tuple(d for d in diagnoses if d.is_finding)
    root = findings[0] if findings else None
    namespaces = sorted({d.subject.namespace for d in findings if d.subject.namespace})
    timeline = tuple(build_timeline(snapshot, namespaces, snapshot.window, thresholds)) if findings else ()
    started = next((e.at for e in timeline if e.warning), None)
    return Postmortem(
        title=_title(root),
        captured_at=snapshot.captured_at,
        root=root,
        findings=findings,
        summary=_summary(root, findings, started, snapshot.captured_at),
        impact=tuple(_impact(snapshot, findings, timeline, started, namespaces, availability)),
        trigger=_trigger(root, timeline, started),
        detection=_detection(timeline, started),
        resolution=_resolution(root, snapshot.captured_at),
        timeline=timeline,
        action_items=tuple(_action_items(root)),
        notes=str(snapshot.manifest.get("notes") or ""),
        figures=dict(figures),
    )


def _subject(d: Diagnosis) -> str:
    s = d.subject
    return f"{s.kind} {s.namespace}/{s.name}" if s.namespace else f"{s.kind} {s.name}"


def _title(root: Diagnosis | None) -> str:
    """`oom_killed on Pod …`, naming what the cause explains (what users felt) when it fired too:
    `fault_injection causing high_latency on Service …`."""
    if root is None:
        return "no finding in this bundle"
    symptoms = [cause for cause, _ in root.other_causes if cause in root.explains]
    causing = f" causing {', '.join(symptoms)}" if symptoms else ""
    return f"{root.root_cause}{causing} on {_subject(root)}"


def _summary(
    root: Diagnosis | None, findings: tuple[Diagnosis, ...], started: datetime | None, captured: datetime
) -> str:
    if root is None:
        return "The rules found no problem in this bundle: every subject is healthy, completed or starting."
    since = f" The first sign was at {format_time(started)}" if started else ""
    still = f" and it was still unresolved at the capture ({format_time(captured)})." if since else ""
    n = len(findings) - 1
    others = f" {n} other finding{'s' if n > 1 else ''} came with it." if n else ""
    return (
        f"{_subject(root)}: {root.root_cause} (confidence {root.confidence:.2f}, {root.severity}). "
        f"{root.summary}{since}{still}{others}"
    )


def _impact(
    snapshot: Snapshot,
    findings: tuple[Diagnosis, ...],
    timeline: tuple[TimelineEntry, ...],
    started: datetime | None,
    namespaces: list[str],
    availability: float,
) -> list[ImpactFigure]:
    out = [
        ImpactFigure(
            "affected",
            ", ".join(f"{_subject(d)} ({d.root_cause})" for d in findings) or "nothing",
            "diagnoses",
        )
    ]
    if started:
        out.append(
            ImpactFigure(
                "duration",
                f"{duration(snapshot.captured_at - started)} from {format_time(started)} to the capture "
                "(ongoing at capture)",
                "timeline: first warning row to manifest captured_at",
            )
        )
    pods = {(d.subject.namespace, d.subject.name) for d in findings if d.subject.kind == "Pod"}
    restarts = sum(
        c.restart_count
        for pod in snapshot.view.pods
        if (pod.namespace, pod.name) in pods
        for c in pod.containers
    )
    if pods:
        out.append(
            ImpactFigure("container restarts", str(restarts), "pod.status containerStatuses[*].restartCount")
        )
    kills = sum(e.count for e in timeline if e.what.startswith("OOMKilling:"))
    if kills:
        out.append(ImpactFigure("OOM kills", str(kills), "events: reason OOMKilling (node-problem-detector)"))
    out += _traffic_impact(snapshot, namespaces, availability)
    return out


def _traffic_impact(snapshot: Snapshot, namespaces: list[str], availability: float) -> list[ImpactFigure]:
    """Requests, 5xx and the error budget burnt, from the first traffic profile the bundle holds."""
    from incident_lib.metrics.frames import response_frame

    for profile in ("istio", "http"):
        found = [
            (
                ns,
                snapshot.metric(f"{profile}_request_rate", ns),
                snapshot.metric(f"{profile}_error_ratio", ns),
            )
            for ns in namespaces
        ]
        found = [(ns, rate, errors) for ns, rate, errors in found if rate and errors]
        if not found:
            continue
        total = bad = seconds = 0.0
        for _, rate_body, error_body in found:
            step = _step_seconds(rate_body.get("step"))
            rate, errors = response_frame(rate_body), response_frame(error_body)
            keys = [c for c in rate.columns if c not in ("value",)]
            joined = rate.merge(errors, on=keys, suffixes=("_rate", "_ratio"), how="left").fillna(0.0)
            total += float(joined["value_rate"].sum()) * step
            bad += float((joined["value_rate"] * joined["value_ratio"]).sum()) * step
            seconds = max(seconds, rate["timestamp"].nunique() * step)
        allowed = (1 - availability) * (total / seconds if seconds else 0.0) * BUDGET_PERIOD.total_seconds()
        burnt = f"{bad / allowed:.1%}" if allowed else "n/a (no traffic)"
        return [
            ImpactFigure(
                "requests in the window", f"{total:,.0f}", f"prometheus: {profile}_request_rate * step"
            ),
            ImpactFigure(
                "5xx responses",
                f"{bad:,.0f} ({bad / total:.2%} of requests)" if total else "0",
                f"prometheus: {profile}_request_rate * {profile}_error_ratio * step",
            ),
            ImpactFigure(
                f"error budget burnt ({availability:.1%} over {BUDGET_PERIOD.days} days)",
                burnt,
                "5xx responses / ((1 - SLO) * mean request rate * 30 days)",
            ),
        ]
    return [
        ImpactFigure(
            "error budget burnt",
            "not available: the bundle has no request-rate and 5xx series (istio_* or http_*)",
            "missing evidence",
        )
    ]


def _step_seconds(step: object) -> float:
    """A range query's step: a duration (`15s`) or, as Prometheus also takes it, a number of seconds."""
    text = str(step or "15s").strip()
    try:
        return float(text)
    except ValueError:
        return parse_duration(text).total_seconds()


def _trigger(root: Diagnosis | None, timeline: tuple[TimelineEntry, ...], started: datetime | None) -> str:
    """The change that set it off: the one the root cause names, else the last one recorded before the
    first warning (a change row, or the events a rollout leaves), with how long before it came."""
    change = _named_change(root) or _last_change(timeline, started)
    if change is None:
        if started is None:
            return "_No warning in the timeline: describe what set it off._"
        return (
            f"No change is recorded before the first warning ({format_time(started)}) within the bundle's "
            "window: _look for a deploy, config or traffic change outside it._"
        )
    what, at, lookup = change
    if started is None:
        after = "no warning row follows to measure the delay from"
    elif at <= started:
        first = next(e for e in timeline if e.warning and e.at == started)
        after = f"the first warning followed {duration(started - at)} later ({first.subject}: {first.what})"
    else:
        after = f"it came {duration(at - started)} after the first warning"
    return (
        f"{what}, at {format_time(at)}; {after}. Check with `{lookup}`. "
        "_Confirm who made the change and why._"
    )


def _named_change(root: Diagnosis | None) -> tuple[str, datetime, str] | None:
    """The change the root cause cites (`fault_injection` cites the VirtualService write)."""
    evidence = next((e for e in root.evidence if e.source == "change"), None) if root else None
    if evidence is None or not evidence.at:
        return None
    return f"{evidence.field} ({evidence.value})", parse_time(evidence.at), evidence.lookup


def _last_change(timeline: tuple[TimelineEntry, ...], started: datetime | None) -> tuple | None:
    """The last change row at or before `started` (any, without a warning); without change rows, the
    last event a rollout leaves (the objects may not be captured)."""
    rows = [
        e
        for e in timeline
        if (e.source == "change" or e.what.split(":", 1)[0] in CHANGE_REASONS)
        and (started is None or e.at <= started)
    ]
    if not rows:
        return None
    last = max(rows, key=lambda e: (e.source == "change", e.at))
    return f"{last.subject} {last.what}", last.at, last.lookup


def _detection(timeline: tuple[TimelineEntry, ...], started: datetime | None) -> str:
    warnings = [e for e in timeline if e.warning and e.source == "event"]
    if not warnings:
        return "_No warning event in the bundle: say how the problem was noticed._"
    w = warnings[0]
    lag = f", {duration(w.at - started)} after the first sign" if started and w.at > started else ""
    return (
        f"The first warning event was {w.what.split(':', 1)[0]} on {w.subject} at {format_time(w.at)}{lag}"
        f"{' (seen ' + w.times + ')' if w.times else ''}. "
        "_Which alert paged, or who noticed, and when? Alerts are not part of the bundle._"
    )


def _resolution(root: Diagnosis | None, captured: datetime) -> str:
    if root is None:
        return "Nothing to resolve."
    first = root.recommendations[0].action if root.recommendations else "_not proposed by the rules_"
    return (
        f"Not resolved at the capture ({format_time(captured)}): "
        f"{_subject(root)} was still {root.root_cause}. "
        f"The rules' first mitigation: {first}. _Record what was done, by whom, and when service recovered._"
    )


def _action_items(root: Diagnosis | None) -> list[ActionItem]:
    if root is None:
        return []
    items = [
        ActionItem(
            "mitigate",
            r.action,
            f"{r.why} (evidence {', '.join(root.evidence_id(e) for e in r.evidence)})",
            r.command or "",
        )
        for r in root.recommendations
    ]
    items.append(ActionItem("prevent", PREVENT.get(root.root_cause, PREVENT_DEFAULT), root.summary))
    items += [ActionItem("process", text) for text in PROCESS]
    return items


# ---------------------------------------------------------------- rendering


def markdown(pm: Postmortem) -> str:
    """The draft as Markdown: sections of the SRE template, figures linked as PNG files beside it."""
    out = [
        f"# Postmortem (draft): {pm.title}",
        "",
        f"_Drafted by incident-lab from a bundle captured at {format_time(pm.captured_at)}. Every number "
        "and timeline row comes from the bundle, with the command or query that shows it; text in italics "
        "is for the people who handled the incident to fill in._",
        "",
        "## Summary",
        "",
        pm.summary,
        "",
        "## Impact",
        "",
        "| figure | value | from |",
        "|---|---|---|",
        *(f"| {_cell(f.label)} | {_cell(f.value)} | {_cell(f.source)} |" for f in pm.impact),
        "",
        "## Root cause and trigger",
        "",
    ]
    if pm.root:
        out += [f"**Root cause:** {pm.root.summary} (rule `{pm.root.rule}`)", "", "Evidence:", ""]
        out += ["| id | source | field | value | at | lookup |", "|---|---|---|---|---|---|"]
        out += [
            f"| {pm.root.evidence_id(e)} | {e.source} | `{_cell(e.field)}` | {_cell(str(e.value))} | "
            f"{e.at or ''} | `{_cell(e.lookup)}` |"
            for e in pm.root.evidence
        ]
        if pm.root.missing_evidence:
            out += ["", "Not checked (missing from the bundle): " + "; ".join(pm.root.missing_evidence)]
    out += ["", f"**Trigger:** {pm.trigger}", "", "## Detection", "", pm.detection, ""]
    out += ["## Resolution", "", pm.resolution, "", "## Timeline (UTC)", ""]
    out += [timeline_markdown(pm.timeline) if pm.timeline else "_Nothing in scope._", ""]
    if pm.figures:
        out += ["## Graphs", ""]
        out += [f"![{caption}]({name})\n\n_{caption}_\n" for name, caption in pm.figures.items()]
    out += ["## Action items", "", "| type | action | why | command |", "|---|---|---|---|"]
    out += [
        f"| {a.kind} | {_cell(a.action)} | {_cell(a.why)} | {_code(a.command)} |" for a in pm.action_items
    ]
    out += ["", "## Lessons learned", ""]
    for heading in ("What went well", "What went wrong", "Where we got lucky"):
        out += [f"### {heading}", "", "_To be filled in._", ""]
    if pm.notes:
        out += ["## About the data", "", pm.notes, ""]
    return "\n".join(out)


def write_postmortem(pm: Postmortem, folder: Path, figures: Mapping[str, Figure] = ()) -> Path:
    """Save `figures` (file name → matplotlib Figure) as PNGs in `folder` and the Markdown beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, fig in dict(figures).items():
        fig.savefig(folder / name, dpi=100)
    path = folder / "postmortem.md"
    path.write_text(markdown(pm), encoding="utf-8")
    return path


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
