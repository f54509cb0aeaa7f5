"""A postmortem draft in the Google SRE shape, from a saved incident: for humans to finish, not to sign.

Everything the draft states comes from the bundle: the diagnoses (root cause with its evidence and
lookups), the UTC timeline (`incident_lib.report.timeline`) and the metrics; and, when an alert opened
the incident, from its record (`incident.json`): which alert fired and when, when the diagnosis was
written, the time to detect and the resolution. The chart's alert rules replayed over the bundle
(`incident_lib.alert_replay`) say when each would have fired. What only people know (who noticed, what
they decided, what went well) is left as headings to fill in. Impact figures say where they come from;
a figure the bundle cannot give (no traffic metrics, so no error budget) says so instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incident_lib.alert_replay import replay, replay_lines, step_seconds
from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.classify.thresholds import DEFAULTS, Thresholds
from incident_lib.errors import InputError
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.report.timeline import (
    TimelineEntry,
    alert_entries,
    alert_subject,
    build_timeline,
    duration,
    timeline_markdown,
)
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
NO_ALERT = (
    "No alert opened this incident: check that the rules that would have fired (Detection) are loaded "
    "and routed to a receiver, or add one whose runbook link opens notebooks/diagnose.ipynb"
)
NO_MITIGATION = "_Decide the fix: the rules propose only steps of the investigation (see Resolution)_"
RESWEEP = (
    "After the fix, re-run the sweep to confirm: incident-lab run notebooks/sweep.ipynb --fail-on critical"
)
# Recommendations that look rather than change: steps of the investigation, not mitigations.
INVESTIGATE = ("Read", "Find", "Check", "Start", "See", "Plot", "Look", "Describe", "Compare")
PRIORITY = {"critical": 1, "warning": 2}  # P1, P2; anything else P3
OWNER_KEYS = ("team", "owner", "app.kubernetes.io/team", "app.kubernetes.io/owner")


AVAILABILITY = 0.999  # the availability objective the error budget is measured against


@dataclass(frozen=True)
class ImpactFigure:
    """One impact figure: what, how much, and where the number comes from."""

    label: str
    value: str
    source: str


@dataclass(frozen=True)
class ActionItem:
    """`mitigate` (restore service now), `prevent` (stop it coming back) or `process` (how we work),
    with its priority (`P1`-`P3`) and owner (a team label of the workload, or blank to fill in)."""

    kind: str
    action: str
    why: str = ""
    command: str = ""
    priority: str = "P3"
    owner: str = ""


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
    header: tuple[tuple[str, str], ...] = ()  # (field, value): status, date, window, bundle, alert, rules
    investigation: tuple[ActionItem, ...] = ()  # the rules' checks: how the evidence was found
    notes: str = ""
    figures: dict[str, str] = field(default_factory=dict)  # file name → caption


def draft_postmortem(
    snapshot: Snapshot,
    diagnoses: list[Diagnosis],
    thresholds: Thresholds = DEFAULTS,
    availability: float = AVAILABILITY,
    figures: Mapping[str, str] = (),
    incident: Mapping | None = None,
) -> Postmortem:
    """The draft for the findings among `diagnoses` (ranked, the first is the root cause).

    `figures` maps PNG file names to captions, for the figures saved beside the Markdown. `incident` is
    the record of the alert that opened the incident (`read_incident`); None for a bundle diagnosed by
    hand.
    """
    findings = tuple(d for d in diagnoses if d.is_finding)
    root = findings[0] if findings else None
    namespaces = sorted({d.subject.namespace for d in findings if d.subject.namespace})
    timeline = build_timeline(snapshot, namespaces, snapshot.window, thresholds) if findings else []
    started = next((e.at for e in timeline if e.warning), None)
    alerts = list(incident["alerts"]) if incident else []
    timeline = tuple(sorted(timeline + alert_entries(alerts), key=TimelineEntry.sort_key))
    recommendations = _recommendations(root)
    owner = _owner(snapshot, root)
    return Postmortem(
        title=_title(root),
        captured_at=snapshot.captured_at,
        root=root,
        findings=findings,
        summary=_summary(root, findings, started, snapshot.captured_at),
        impact=tuple(_impact(snapshot, findings, timeline, started, namespaces, availability)),
        trigger=_trigger(root, timeline, started),
        detection=_detection(snapshot, timeline, started, incident),
        resolution=_resolution(root, recommendations, snapshot.captured_at, incident),
        timeline=timeline,
        action_items=tuple(_action_items(root, recommendations, owner, incident)),
        header=tuple(_header(snapshot, findings, started, incident)),
        investigation=tuple(r for r in recommendations if r.kind == "investigate"),
        notes=str(snapshot.manifest.get("notes") or ""),
        figures=dict(figures),
    )


def read_incident(path: str | Path) -> dict:
    """The incident record (`incident.json`, `incident/v1`) at `path`; InputError when it is not one."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"incident {path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise InputError(f"incident {path}: not JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != "incident/v1":
        raise InputError(f"incident {path}: not an incident record (format incident/v1)")
    if not isinstance(record.get("alerts"), list):
        raise InputError(f"incident {path}: no list of alerts")
    return record


def _header(
    snapshot: Snapshot,
    findings: tuple[Diagnosis, ...],
    started: datetime | None,
    incident: Mapping | None,
) -> list[tuple[str, str]]:
    """What identifies the draft: status, date, incident window, bundle, alert, the rule versions."""
    window = snapshot.window
    begun = parse_time(incident["started_at"]) if incident and incident.get("started_at") else started
    begun = min(filter(None, (begun, started)), default=snapshot.captured_at)
    ended = parse_time(incident["resolved_at"]) if incident and incident.get("resolved_at") else None
    out = [
        ("status", "draft"),
        ("date", format_time(begun)[:10]),
        (
            "incident window",
            f"{format_time(begun)} to {format_time(ended) if ended else 'ongoing at the capture'}",
        ),
        (
            "bundle",
            f"{Path(snapshot.origin).name or snapshot.origin}, "
            f"captured at {format_time(snapshot.captured_at)}",
        ),
    ]
    if window:
        out.append(("metrics window", f"{format_time(window[0])} to {format_time(window[1])}"))
    if incident:
        out.append(("incident", f"{incident.get('id', '')} opened by alert {incident.get('alert', '')}"))
    else:
        out.append(("incident", "found by hand: no alert record"))
    out.append(("rule versions", ", ".join(sorted({d.rule for d in findings})) or "no finding"))
    return out


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
            step = step_seconds(rate_body.get("step") or "15s")
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


def _detection(
    snapshot: Snapshot,
    timeline: tuple[TimelineEntry, ...],
    started: datetime | None,
    incident: Mapping | None,
) -> str:
    """Which alert fired and when, the time to detect, when the diagnosis was written and when it
    resolved (from the incident record); or that it was found by hand. Then when each of the chart's
    alert rules would have fired over the bundle."""
    missing = snapshot.manifest.get("missing") or []
    why = next((m.split(": ", 1)[1] for m in missing if m.startswith("alert series: ")), "")
    could = "\n".join(f"- {line}" for line in replay_lines(replay(snapshot), why))
    could = f"Could have been detected at (the chart's alert rules replayed over the bundle):\n\n{could}"
    if not incident or not incident["alerts"]:
        return f"Found by hand: no alert opened this incident.\n\n{could}"
    first = incident["alerts"][0]
    fired = parse_time(first["starts_at"])
    lines = [f"Alert **{first['name']}** fired at {format_time(fired)} (startsAt) on {alert_subject(first)}."]
    lines += [
        f"Then **{a['name']}** at {a['starts_at']} on {alert_subject(a)}." for a in incident["alerts"][1:]
    ]
    symptom = next((e for e in timeline if e.warning and e.source != "alert"), None)
    if symptom is None:
        lines.append("Time to detect: not known, the bundle holds no symptom before the alert.")
    elif symptom.at <= fired:
        lines.append(
            f"Time to detect: {duration(fired - symptom.at)}, from the first symptom in the bundle "
            f"({symptom.subject}: {symptom.what}, at {format_time(symptom.at)}) to the alert."
        )
    else:
        lines.append(
            f"Time to detect: 0s, the alert came {duration(symptom.at - fired)} before the first "
            f"symptom in the bundle ({symptom.subject}: {symptom.what})."
        )
    if incident.get("diagnosed_at"):
        written = parse_time(incident["diagnosed_at"])
        lines.append(
            f"Diagnosis written at {format_time(written)}, {duration(written - fired)} after the alert."
        )
    if incident.get("resolved_at"):
        lines.append(f"Resolved at {incident['resolved_at']} (the alert's endsAt).")
    else:
        lines.append("Not resolved when this draft was written: the alert was still firing.")
    return "\n".join(f"- {line}" for line in lines) + f"\n\n{could}"


def _resolution(
    root: Diagnosis | None, recommendations: list[ActionItem], captured: datetime, incident: Mapping | None
) -> str:
    if root is None:
        return "Nothing to resolve."
    first = next((r.action for r in recommendations if r.kind == "mitigate"), "_not proposed by the rules_")
    if incident and incident.get("resolved_at"):
        state = f"The alert resolved at {incident['resolved_at']}; at the capture ({format_time(captured)})"
    else:
        state = f"Not resolved at the capture ({format_time(captured)}):"
    return (
        f"{state} {_subject(root)} was still {root.root_cause}. "
        f"The rules' first mitigation: {first}. _Record what was done, by whom, and when service recovered._"
    )


def _recommendations(root: Diagnosis | None) -> list[ActionItem]:
    """The root cause's recommendations, each once (by command: one `kubectl logs` of a container), as
    `mitigate` or `investigate` (a step that looks rather than changes, such as reading a log), with
    the evidence they rest on."""
    if root is None:
        return []
    out, commands = [], set()
    for r in root.recommendations:
        command = re.sub(r"\s--tail=\d+", "", r.command or "")  # the same log, however much of it
        if command and command in commands:
            continue
        commands.add(command)
        kind = "investigate" if r.action.split(" ", 1)[0] in INVESTIGATE else "mitigate"
        evidence = ", ".join(root.evidence_id(e) for e in r.evidence)
        out.append(ActionItem(kind, r.action, f"{r.why} (evidence {evidence})", r.command or ""))
    return out


def _owner(snapshot: Snapshot, root: Diagnosis | None) -> str:
    """A team label or annotation (`team`, `owner`, ...) of the root cause's subject or its controllers."""
    if root is None:
        return ""
    view = snapshot.view
    obj = view.get(root.subject.kind, root.subject.namespace, root.subject.name)
    for o in [obj, *view.owner_chain(obj)] if obj else []:
        for key in OWNER_KEYS:
            value = o.labels.get(key) or (o.metadata.get("annotations") or {}).get(key)
            if value:
                return str(value)
    return ""


def _action_items(
    root: Diagnosis | None, recommendations: list[ActionItem], owner: str, incident: Mapping | None
) -> list[ActionItem]:
    """Mitigations at the priority of the root cause's severity (critical P1, warning P2, else P3),
    prevention one lower, process P3."""
    if root is None:
        return []
    p = PRIORITY.get(root.severity, 3)
    items = [
        ActionItem("mitigate", r.action, r.why, r.command, f"P{p}", owner)
        for r in recommendations
        if r.kind == "mitigate"
    ] or [ActionItem("mitigate", NO_MITIGATION, priority=f"P{p}", owner=owner)]
    prevent = PREVENT.get(root.root_cause, PREVENT_DEFAULT)
    items.append(ActionItem("prevent", prevent, root.summary, priority=f"P{min(p + 1, 3)}", owner=owner))
    if not incident:
        items.append(ActionItem("process", NO_ALERT))
    items.append(ActionItem("process", RESWEEP))
    return items


# ---------------------------------------------------------------- rendering


def markdown(pm: Postmortem) -> str:
    """The draft as Markdown: sections of the SRE template, figures linked as PNG files beside it."""
    out = [
        f"# Postmortem (draft): {pm.title}",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {_cell(value)} |" for name, value in pm.header),
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
    out += ["## Resolution", "", pm.resolution, ""]
    if pm.investigation:
        out += ["Steps of the investigation the rules propose (how the evidence is seen again):", ""]
        out += [
            f"- {a.action}: {_code(a.command)}" if a.command else f"- {a.action}" for a in pm.investigation
        ]
        out += [""]
    out += ["## Timeline (UTC)", ""]
    out += [timeline_markdown(pm.timeline) if pm.timeline else "_Nothing in scope._", ""]
    if pm.figures:
        out += ["## Graphs", ""]
        out += [f"![{caption}]({name})\n\n_{caption}_\n" for name, caption in pm.figures.items()]
    out += [
        "## Action items",
        "",
        "| type | priority | action | why | command | owner | ticket |",
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {a.kind} | {a.priority} | {_cell(a.action)} | {_cell(a.why)} | {_code(a.command)} | "
        f"{_cell(a.owner)} | |"
        for a in pm.action_items
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
