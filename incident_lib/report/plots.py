"""Plots of one pod's metrics: memory against its limit with OOM kills marked, CPU against its request,
and restarts, on one time axis."""

from __future__ import annotations

from datetime import datetime

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from incident_lib.diagnose import select
from incident_lib.k8s.objects import parse_time
from incident_lib.k8s.pod import Container, Pod
from incident_lib.metrics.analysis import increases
from incident_lib.metrics.pod import Series, SubjectMetrics
from incident_lib.snapshot import Snapshot

MIB = 2**20


def pod_metrics_figure(
    snapshot: Snapshot, namespace: str, name: str, window: tuple[datetime, datetime] | None = None
) -> Figure:
    """Memory, CPU and restarts of one pod; a panel whose signal the snapshot lacks says so. A pod the
    snapshot lacks is an InputError naming the closest ones."""
    pod = select(snapshot, "Pod", namespace, name)[0]
    metrics = snapshot.view.metrics(namespace).for_subject(name)
    fig, (memory, cpu, restarts) = plt.subplots(3, 1, figsize=(10, 7.5), sharex=True, constrained_layout=True)
    fig.suptitle(f"{namespace}/{name}")
    _memory(memory, pod, metrics)
    _cpu(cpu, pod, metrics)
    _restarts(restarts, metrics)
    window = window or snapshot.window
    if window:
        restarts.set_xlim(*window)
    restarts.set_xlabel("time (UTC)")
    plt.close(fig)  # returned, not shown twice: Jupyter displays the returned figure
    return fig


def oom_kill_times(container: Container, restarts: pd.DataFrame | None) -> list[datetime]:
    """When `container` was OOM-killed, for the markers on memory plots; [] when it never was.

    `restarts` is the container's restart counter (`timestamp`, `value`), or None. Its steps are the
    restarts that followed the kills, on the plot's own time axis; without samples, the finish times
    of the OOMKilled terminations the pod status recorded. The one definition both the pod figure and
    the namespace figures draw.
    """
    terminations = container.terminations()
    if not any(t.get("reason") == "OOMKilled" for _, t in terminations):
        return []
    if restarts is not None and not restarts.empty:
        return sorted(increases(restarts))
    return sorted(parse_time(t["finishedAt"]) for _, t in terminations if t.get("finishedAt"))


def _memory(ax, pod: Pod, metrics: SubjectMetrics) -> None:
    ax.set_title("memory working set vs limit")
    ax.set_ylabel("MiB")
    if _per_container(ax, pod, metrics.get("memory_working_set"), MIB, lambda c: c.memory_limit, "limit"):
        restarts = metrics.get("restarts")
        kills = sorted(
            at
            for c in pod.containers
            for at in oom_kill_times(c, restarts.container(c.name) if restarts is not None else None)
        )
        for i, at in enumerate(kills):
            label = "restart after an OOM kill" if i == 0 else None
            ax.axvline(at, color="black", linewidth=0.8, linestyle=":", label=label)
        ax.legend(loc="upper left", fontsize="small")


def _cpu(ax, pod: Pod, metrics: SubjectMetrics) -> None:
    ax.set_title("CPU usage vs request")
    ax.set_ylabel("cores")
    _per_container(ax, pod, metrics.get("cpu_usage"), 1, lambda c: c.cpu_request, "request")


def _per_container(ax, pod: Pod, series: Series | None, unit: float, reference, reference_name: str) -> bool:
    """One line per container, with its limit or request dashed; False when the signal is missing."""
    if series is None:
        ax.text(0.5, 0.5, "no data in this snapshot", ha="center", va="center", transform=ax.transAxes)
        return False
    for container in pod.containers:
        samples = series.container(container.name)
        if samples.empty:
            continue
        (line,) = ax.plot(samples["timestamp"], samples["value"] / unit, label=container.name)
        if reference(container):
            ax.axhline(
                reference(container) / unit,
                linestyle="--",
                color=line.get_color(),
                label=f"{container.name} {reference_name}",
            )
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize="small")
    return True


def _restarts(ax, metrics: SubjectMetrics) -> None:
    ax.set_title("restarts")
    ax.set_ylabel("count")
    series = metrics.get("restarts")
    if series is None:
        ax.text(0.5, 0.5, "no data in this snapshot", ha="center", va="center", transform=ax.transAxes)
        return
    for container, samples in series.frame.groupby("container"):
        ax.step(samples["timestamp"], samples["value"], where="post", label=container)
    ax.legend(loc="upper left", fontsize="small")
