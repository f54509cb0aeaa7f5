"""OOM-kill markers: one definition (`oom_kill_times`) for the pod figure and the namespace figures."""

from __future__ import annotations

from incident_lib.k8s.objects import parse_time
from incident_lib.k8s.pod import Pod
from incident_lib.metrics.frames import response_frame
from incident_lib.report.metric_plots import resource_figure
from incident_lib.report.plots import oom_kill_times, pod_metrics_figure
from tests.helpers import OOM_POD


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
