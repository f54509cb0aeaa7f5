"""Alert replay: when each of the chart's alert rules would have fired over a bundle's window.

At capture time (`incident_lib.sources.live`), each alerting rule Prometheus has loaded from the chart's
PrometheusRule (groups named `incident-lab.*`) is evaluated through that Prometheus as a range query of
its own expression, limited to one namespace, at the capture's step: the answer holds, for each label
set, the steps at which the rule's condition held, exactly as a rule evaluation at those instants would
see it. The answer is kept in the bundle as the metric `alert_<rule>.<namespace>`, with the rule's name,
group, `for:` and labels beside the query.

Replaying applies the rule's `for:` as Prometheus does: a label set is pending from the first step its
condition holds, fires once it has held for `for:` without a gap (a step without it resets it), and is
resolved at the first step it no longer holds. The precision is the capture's step; a condition that
already held at the window's first step may have fired earlier than the window shows, and says so.
A bundle without alert series (captured before replay existed, or reconstructed) is "not checked".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from incident_lib.durations import parse_duration
from incident_lib.errors import InputError
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.metrics.pod import range_lookup
from incident_lib.names import dns_label
from incident_lib.snapshot import Snapshot

PREFIX = "alert_"  # of the metric names that hold alert series: `alert_containeroomkilled.apps`
GROUPS = "incident-lab."  # the chart's PrometheusRule groups; other rules a Prometheus holds are not ours
NOT_CHECKED = "not checked (the bundle holds no alert series)"


@dataclass(frozen=True)
class AlertRule:
    """An alerting rule as Prometheus loaded it: `for_` is its `for:` duration."""

    name: str
    group: str
    expr: str
    for_: timedelta
    labels: dict[str, str]


@dataclass(frozen=True)
class Firing:
    """One label set of a rule: when its condition first held and when it fired (None: it held for
    less than `for:`), when it stopped holding (None: still at the end of the window), and whether it
    already held at the window's first step (so it may have started earlier); and the query, with its
    range, that shows it again."""

    labels: dict[str, str]
    pending_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    from_window_start: bool
    lookup: str


@dataclass(frozen=True)
class Replay:
    """One rule replayed over the bundle's namespaces: the first firing of each label set."""

    rule: AlertRule
    firings: tuple[Firing, ...]

    @property
    def fired(self) -> tuple[Firing, ...]:
        return tuple(f for f in self.firings if f.fired_at is not None)

    @property
    def first(self) -> Firing | None:
        return min(self.fired, key=lambda f: f.fired_at, default=None)


def loaded_rules(answer: dict) -> list[AlertRule]:
    """The chart's alerting rules in Prometheus' `/api/v1/rules` answer, in the order it lists them."""
    groups = ((answer or {}).get("data") or {}).get("groups") or []
    return [
        AlertRule(
            name=str(rule["name"]),
            group=str(group["name"]),
            expr=str(rule["query"]),
            for_=timedelta(seconds=float(rule.get("duration") or 0)),
            labels={str(k): str(v) for k, v in (rule.get("labels") or {}).items()},
        )
        for group in groups
        if str(group.get("name", "")).startswith(GROUPS)
        for rule in group.get("rules") or []
        if rule.get("type") == "alerting"
    ]


def series_name(rule: AlertRule) -> str:
    """The metric name a rule's series are kept under: lower case, safe as a bundle path segment."""
    return PREFIX + re.sub(r"[^a-z0-9_-]", "_", rule.name.lower())


def namespace_query(rule: AlertRule, namespace: str) -> str:
    """The rule's expression limited to the series of `namespace` (validated: nothing can change what
    the query means), for the range query that is kept in the bundle."""
    dns_label(namespace, "namespace")
    return f'({rule.expr}) and on (namespace) label_replace(vector(1), "namespace", "{namespace}", "", "")'


def series_body(rule: AlertRule, answer: dict) -> dict:
    """A range query's answer kept with the rule it evaluates, as the bundle holds it."""
    return answer | {
        "alert": {
            "name": rule.name,
            "group": rule.group,
            "for": f"{int(rule.for_.total_seconds())}s",
            "labels": rule.labels,
        }
    }


def replay(snapshot: Snapshot) -> list[Replay] | None:
    """Each rule whose series the bundle holds, replayed (in name order); None when it holds none. An
    alert series that is not one (no rule, no range) is an InputError naming it."""
    rules: dict[str, AlertRule] = {}
    firings: dict[str, list[Firing]] = {}
    for name, body in sorted(snapshot.metrics.items()):
        if not name.startswith(PREFIX):
            continue
        try:
            rule = rules.setdefault(body["alert"]["name"], _rule(body))
            firings.setdefault(rule.name, []).extend(_firings(rule, body))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"metrics/{name}: not an alert series ({type(exc).__name__}: {exc})") from None
    if not rules:
        return None
    return [Replay(rules[n], tuple(sorted(firings[n], key=_firing_order))) for n in sorted(rules)]


def _firings(rule: AlertRule, body: dict) -> list[Firing]:
    """The first firing of each label set of one namespace's answer."""
    step = timedelta(seconds=step_seconds(body["step"]))
    window = (parse_time(body["start"]), parse_time(body["end"]))
    if window[0] is None or window[1] is None:
        raise ValueError("no start or end")
    lookup = range_lookup(body["query"], body["start"], body["end"], body["step"])
    out = []
    for series in body["data"]["result"]:
        labels = {k: v for k, v in (series.get("metric") or {}).items() if k != "__name__"}
        stamps = [datetime.fromtimestamp(float(t), UTC) for t, _ in series.get("values") or []]
        firing = first_firing(stamps, step, rule.for_, window)
        if firing:
            out.append(Firing(labels | rule.labels, *firing, lookup))
    return out


def _rule(body: dict) -> AlertRule:
    alert = body["alert"]
    return AlertRule(
        name=alert["name"],
        group=alert.get("group", ""),
        expr=body["query"],
        for_=parse_duration(str(alert.get("for") or "0s")),
        labels=dict(alert.get("labels") or {}),
    )


def step_seconds(step: object) -> float:
    """A range query's step: a duration (`15s`) or, as Prometheus also takes it, a number of seconds."""
    text = str(step).strip()
    try:
        return float(text)
    except ValueError:
        return parse_duration(text).total_seconds()


def _firing_order(f: Firing) -> tuple:
    return (f.fired_at is None, f.fired_at or f.pending_at, sorted(f.labels.items()))


def first_firing(
    stamps: list[datetime], step: timedelta, for_: timedelta, window: tuple[datetime, datetime]
) -> tuple[datetime, datetime | None, datetime | None, bool] | None:
    """(pending since, fired at, resolved at, held from the window's start) of the first spell of
    steps at which the condition held (`stamps`, `step` apart) that lasted `for_`; else of its first
    spell, never fired. Resolved is None while it still held at the window's end; None when it never
    held."""
    spells: list[list[datetime]] = []
    for at in sorted(stamps):
        if spells and at - spells[-1][-1] <= step:
            spells[-1].append(at)
        else:
            spells.append([at])
    if not spells:
        return None
    spell = next((s for s in spells if s[-1] - s[0] >= for_), spells[0])
    fired = next((at for at in spell if at - spell[0] >= for_), None)
    resolved = spell[-1] + step if spell[-1] + step <= window[1] else None
    return spell[0], fired, resolved, spell[0] <= window[0]


# ---------------------------------------------------------------- text


def labels_text(labels: dict[str, str]) -> str:
    """The labels that say what an alert is about (namespace, pod, service, ...), `k=v` comma-separated."""
    shown = [k for k in ("namespace", "service", "pod", "container") if k in labels]
    return ", ".join(f"{k}={labels[k]}" for k in shown) or "no subject labels"


def replay_lines(replays: list[Replay] | None, why: str = "") -> list[str]:
    """One line per rule: when it would have fired first (and on what), or that it never did; without
    alert series, that nothing was checked and `why` (what the capture recorded)."""
    if replays is None:
        return [f"Alert replay: {NOT_CHECKED}{': ' + why if why else ''}."]
    lines = []
    for r in replays:
        first = r.first
        for_ = f"for {_span(r.rule.for_)}" if r.rule.for_ else "no for:"
        if first is None:
            held = " (its condition held, but never for that long)" if r.firings else ""
            lines.append(f"{r.rule.name} ({for_}): would not have fired in the window{held}.")
            continue
        earlier = (
            " or earlier: its condition already held at the window's start" if first.from_window_start else ""
        )
        more = len(r.fired) - 1
        others = f", then on {more} other label set{'s' if more > 1 else ''}" if more else ""
        lines.append(
            f"{r.rule.name} ({for_}): could have been detected at {format_time(first.fired_at)}{earlier}"
            f" ({labels_text(first.labels)}; pending since {format_time(first.pending_at)}){others}. "
            f"Query: `{first.lookup}`"
        )
    return lines


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"
