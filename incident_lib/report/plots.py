"""Plots of one pod's metrics: memory against its limit with OOM kills marked, CPU against its request,
and restarts, on one time axis covering the pod's life within the bundle's window; legends beside the
panels, never over the data."""

from __future__ import annotations

from datetime import datetime, timedelta

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from incident_lib.diagnose import select
from incident_lib.k8s.objects import parse_time
from incident_lib.k8s.pod import Container, Pod
from incident_lib.metrics.analysis import increases
from incident_lib.metrics.catalogue import SIGNALS
from incident_lib.metrics.pod import Series, SubjectMetrics
from incident_lib.snapshot import Snapshot

MIB = 2**20


def pod_metrics_figure(
    snapshot: Snapshot, namespace: str, name: str, window: tuple[datetime, datetime] | None = None
) -> Figure:
    """Memory, CPU and restarts of one pod over `window` (by default the bundle's window from the pod's
    creation on, not hours before it existed). A signal the snapshot lacks gets no panel: a sentence
    under the figure names it. A pod the snapshot lacks is an InputError naming the closest ones."""
    pod = select(snapshot, "Pod", namespace, name)[0]
    metrics = snapshot.view.metrics(namespace).for_subject(name)
    shown = [(signal, draw) for signal, draw in PANELS if metrics.get(signal) is not None]
    left_out = [SIGNALS[signal].title for signal, _ in PANELS if metrics.get(signal) is None]
    fig, axes = plt.subplots(
        max(1, len(shown)), 1, figsize=(10, 1.2 + 2.1 * max(1, len(shown))), sharex=True, squeeze=False,
        constrained_layout=True,
    )  # fmt: skip
    fig.suptitle(f"{namespace}/{name}")
    axes = list(axes.flat)
    if not shown:
        axes[0].set_axis_off()
    for ax, (_, draw) in zip(axes, shown, strict=False):
        draw(ax, pod, metrics)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")  # beside the data, not on it
    if left_out:
        fig.supxlabel(f"Not shown, no data in the bundle: {', '.join(left_out)}.", fontsize="small")
    window = window or _pod_window(snapshot.window, pod)
    if window and shown:
        axes[-1].set_xlim(*window)
        axes[-1].set_xlabel("time (UTC)")
    plt.close(fig)  # returned, not shown twice: Jupyter displays the returned figure
    return fig


def _pod_window(window: tuple[datetime, datetime] | None, pod: Pod) -> tuple[datetime, datetime] | None:
    """The bundle's window, starting no earlier than a minute before the pod was created."""
    created = parse_time(pod.metadata.get("creationTimestamp"))
    if window is None or created is None:
        return window
    return max(window[0], created - timedelta(minutes=1)), window[1]


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
    _per_container(ax, pod, metrics.get("memory_working_set"), MIB, lambda c: c.memory_limit, "limit")
    restarts = metrics.get("restarts")
    kills = sorted(
        at
        for c in pod.containers
        for at in oom_kill_times(c, restarts.container(c.name) if restarts is not None else None)
    )
    for i, at in enumerate(kills):
        label = "restart after an OOM kill" if i == 0 else None
        ax.axvline(at, color="black", linewidth=0.8, linestyle=":", label=label)


def _cpu(ax, pod: Pod, metrics: SubjectMetrics) -> None:
    ax.set_title("CPU usage vs request")
    ax.set_ylabel("cores")
    _per_container(ax, pod, metrics.get("cpu_usage"), 1, lambda c: c.cpu_request, "request")


def _per_container(ax, pod: Pod, series: Series, unit: float, reference, reference_name: str) -> None:
    """One line per container, with its limit or request dashed."""
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


def _restarts(ax, pod: Pod, metrics: SubjectMetrics) -> None:
    ax.set_title("restarts")
    ax.set_ylabel("count")
    for container, samples in metrics.get("restarts").frame.groupby("container"):
        ax.step(samples["timestamp"], samples["value"], where="post", label=container)


PANELS = (("memory_working_set", _memory), ("cpu_usage", _cpu), ("restarts", _restarts))  # top to bottom
