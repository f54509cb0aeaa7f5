"""OOM-kill markers: one definition (`oom_kill_times`) for the pod figure and the namespace figures."""

from __future__ import annotations

import matplotlib.dates as mdates

from incident_lib.k8s.objects import parse_time
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.frames import response_frame
from incident_lib.report.metric_plots import resource_figure
from incident_lib.report.plots import oom_kill_times, pod_metrics_figure
from incident_lib.sources.bundle import read_bundle
from tests.helpers import OOM_POD, ROOT


def drill_pod(snapshot) -> Pod:
    return Pod(next(p for p in snapshot.of_kind("Pod") if p["metadata"]["name"] == OOM_POD[1]))


def restarts_of(snapshot, pod: str, container: str):
    frame = response_frame(snapshot.metric("restarts", "default"))
    return frame[(frame["pod"] == pod) & (frame["container"] == container)]


def test_each_restart_after_an_oom_kill_is_a_marker_and_without_samples_the_recorded_kill(oom_drill):
    [app] = drill_pod(oom_drill).containers
    from_series = oom_kill_times(app, restarts_of(oom_drill, OOM_POD[1], app.name))
    assert len(from_series) == 4 and from_series == sorted(from_series)
    assert oom_kill_times(app, None) == [parse_time(app.last_terminated["finishedAt"])]
    assert oom_kill_times(app, restarts_of(oom_drill, "no-such-pod", app.name)) == oom_kill_times(app, None)


def test_a_container_never_oom_killed_has_no_marker(oom_drill):
    backend = next(
        Pod(p) for p in oom_drill.of_kind("Pod") if p["metadata"]["name"].startswith("backend-api")
    )
    assert oom_kill_times(backend.containers[0], None) == []


def test_the_pod_figure_and_the_namespace_figure_mark_the_same_kills(oom_drill):
    def markers(ax) -> list:
        return sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":")

    pod_axes = pod_metrics_figure(oom_drill, *OOM_POD).axes[0]
    namespace = resource_figure(oom_drill, "memory_working_set", "default", [OOM_POD[1]])
    assert len(markers(pod_axes)) == 4
    assert markers(pod_axes) == markers(namespace.axes[0])


def test_the_pod_figure_starts_when_the_pod_was_created_not_at_the_window_start(oom_drill):
    [*_, restarts] = pod_metrics_figure(oom_drill, *OOM_POD).axes
    start, end = (mdates.num2date(x) for x in restarts.get_xlim())
    assert oom_drill.window[0] == parse_time("2025-12-17T09:35:00Z")
    assert (start, end) == (parse_time("2025-12-17T09:54:00Z"), oom_drill.window[1])  # created 09:55


def test_panels_without_data_are_left_out_and_named_under_the_figure():
    crash = read_bundle(ROOT / "incidents" / "crash-loop")
    fig = pod_metrics_figure(crash, "default", "crashloop-test-5d8f9c7b6d-w4k2x")
    assert [ax.get_title() for ax in fig.axes] == ["restarts"]
    assert fig.get_supxlabel() == "Not shown, no data in the bundle: Memory working set, CPU usage."
