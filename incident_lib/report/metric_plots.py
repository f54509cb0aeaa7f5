"""One figure per signal for a namespace, small multiples per pod (or per workload for traffic), with the
reference lines that make a signal readable: CPU against requests and limits, memory against limits
with OOM kills marked, the 5xx threshold and the latency SLO. A signal the snapshot lacks is a small
figure that says so and names the query that would have fetched it.
"""

from __future__ import annotations

import math
from datetime import datetime

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from incident_lib.metrics.catalogue import SIGNALS, promql
from incident_lib.metrics.frames import response_frame
from incident_lib.report.plots import oom_kill_times
from incident_lib.snapshot import Snapshot

MIB = 2**20
COLUMNS = 2
PANEL = (5.5, 2.4)  # width, height of one small multiple in inches: readable in the HTML export


def resource_figure(
    snapshot: Snapshot,
    signal: str,
    namespace: str,
    pods: list[str] | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> Figure:
    """`memory_working_set`, `cpu_usage` or `restarts` of a namespace's pods, one panel per pod."""
    body = snapshot.metric(signal, namespace)
    if body is None:
        return missing_figure(signal, namespace)
    frame = response_frame(body)
    views = {p.name: p for p in snapshot.view.pods_in(namespace)}
    names = [n for n in sorted(frame["pod"].unique()) if not pods or n in pods]
    fig, axes = _grid(len(names), f"{SIGNALS[signal].title} — {namespace}")
    restarts = snapshot.metric("restarts", namespace)
    restart_frame = response_frame(restarts) if restarts else None
    for ax, name in zip(axes, names, strict=False):
        ax.set_title(name, fontsize="small")
        pod = views.get(name)
        for container, rows in frame[frame["pod"] == name].groupby("container", sort=True):
            spec = pod.container(container) if pod else None
            if signal == "restarts":
                ax.step(rows["timestamp"], rows["value"], where="post", label=container)
                continue
            unit = MIB if signal == "memory_working_set" else 1
            (line,) = ax.plot(rows["timestamp"], rows["value"] / unit, label=container)
            refs = (
                [("limit", spec.memory_limit)]
                if signal == "memory_working_set" and spec
                else [("request", spec.cpu_request), ("limit", spec.cpu_limit)]
                if spec
                else []
            )
            for label, value in refs:
                if value:
                    style = "--" if label == "limit" else ":"
                    ax.axhline(
                        value / unit, color=line.get_color(), linestyle=style, label=f"{container} {label}"
                    )
            if signal == "memory_working_set" and spec:
                own = (
                    restart_frame[(restart_frame["pod"] == name) & (restart_frame["container"] == container)]
                    if restart_frame is not None
                    else None
                )
                for i, at in enumerate(oom_kill_times(spec, own)):
                    ax.axvline(
                        at, color="black", linewidth=0.8, linestyle=":", label="OOM kill" if i == 0 else None
                    )
        ax.set_ylim(bottom=0)
        ax.set_ylabel({"memory_working_set": "MiB", "cpu_usage": "cores", "restarts": "count"}[signal])
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="x-small")  # beside the data
        if window or snapshot.window:
            ax.set_xlim(*(window or snapshot.window))
    plt.close(fig)
    return fig


def traffic_figure(
    snapshot: Snapshot,
    kind: str,
    namespace: str,
    slo_seconds: float = 1.0,
    error_threshold: float = 0.05,
    window: tuple[datetime, datetime] | None = None,
) -> Figure:
    """`request_rate`, `error_ratio` or `latency` (p50/p95/p99 with the SLO line) per workload, from the
    first traffic profile (Istio, then the services' HTTP metrics) the snapshot holds."""
    signals = ["latency_p50", "latency_p95", "latency_p99"] if kind == "latency" else [kind]
    for profile in ("istio", "http"):
        bodies = {s: snapshot.metric(f"{profile}_{s}", namespace) for s in signals}
        if all(bodies.values()):
            break
    else:
        return missing_figure(f"istio_{signals[-1]}", namespace, also=f"http_{signals[-1]}")
    frames = {s: response_frame(b) for s, b in bodies.items()}
    label = SIGNALS[f"{profile}_{signals[0]}"].subject
    names = sorted({n for f in frames.values() if label in f for n in f[label].unique()})
    title = {"request_rate": "Request rate", "error_ratio": "5xx ratio", "latency": "Latency"}[kind]
    fig, axes = _grid(len(names), f"{title} ({profile}) — {namespace}")
    for ax, name in zip(axes, names, strict=False):
        ax.set_title(name, fontsize="small")
        for signal, frame in frames.items():
            rows = frame[frame[label] == name]
            ax.plot(rows["timestamp"], rows["value"], label=signal.replace("latency_", ""))
        if kind == "latency":
            ax.axhline(slo_seconds, color="#b00020", linestyle="--", label=f"SLO p99 {slo_seconds:g}s")
            ax.set_ylabel("seconds")
        elif kind == "error_ratio":
            ax.axhline(error_threshold, color="#b00020", linestyle="--", label=f"alert {error_threshold:.0%}")
            ax.set_ylabel("ratio")
        else:
            ax.set_ylabel("requests/s")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="x-small")  # beside the data
        if window or snapshot.window:
            ax.set_xlim(*(window or snapshot.window))
    plt.close(fig)
    return fig


def missing_figure(signal: str, namespace: str, also: str = "") -> Figure:
    """A small figure saying the snapshot lacks `signal` (and `also`), with the query that fetches it."""
    fig, ax = plt.subplots(figsize=(PANEL[0] * COLUMNS, 1.2))
    names = f"{signal}" + (f" or {also}" if also else "")
    ax.text(
        0.5,
        0.5,
        f"no {names} of namespace {namespace} in this bundle\nquery: {promql(signal, namespace)[:120]}",
        ha="center",
        va="center",
        fontsize="small",
        transform=ax.transAxes,
    )
    ax.set_axis_off()
    plt.close(fig)
    return fig


def _grid(count: int, title: str):
    columns = max(1, min(COLUMNS, count))
    rows = max(1, math.ceil(count / columns))
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(PANEL[0] * columns, PANEL[1] * rows + 0.6),
        sharex=True,
        squeeze=False,
        constrained_layout=True,
    )
    fig.suptitle(title)
    flat = list(axes.flat)
    for ax in flat[count:]:
        ax.set_axis_off()
    return fig, flat[:count]
