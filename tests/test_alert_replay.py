"""Alert replay: the chart's alert rules, loaded into Debian's Prometheus, evaluated at capture time over
the OOM drill's metrics, and replayed from the bundle to say when each alert would have fired."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from datetime import timedelta

import pytest

from incident_lib.alert_replay import NOT_CHECKED, first_firing, loaded_rules, replay, replay_lines
from incident_lib.capture import write_bundle
from incident_lib.diagnose import diagnose_all
from incident_lib.errors import InputError
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.report.postmortem import draft_postmortem
from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle
from incident_lib.sources.kubernetes import KubeSource
from incident_lib.sources.live import collect
from incident_lib.sources.prometheus import PrometheusSource
from tests.alerts.test_alert_rules import write_rules
from tests.servers.cluster import recorded_logs, recorded_objects
from tests.servers.kube_api import KubeApiDouble, kubeconfig_yaml
from tests.servers.prometheus import (
    MISSING,
    OOM_KILLS,
    OOM_POD,
    PROMETHEUS,
    PROMTOOL,
    PrometheusServer,
    openmetrics_for_drill,
)

WINDOW = "2025-12-17T09:35:00Z/2025-12-17T10:05:00Z"
NOW = parse_time("2025-12-17T10:05:00Z")
STEP = timedelta(seconds=15)
T0 = parse_time("2025-12-17T10:00:00Z")


@pytest.fixture(scope="module")
def prometheus_with_rules(tmp_path_factory):
    """The drill's Prometheus with the chart's rules loaded (its configuration reloaded on SIGHUP, as
    the Prometheus Operator's reloader does)."""
    if not (PROMETHEUS and PROMTOOL):
        pytest.skip(MISSING)
    workdir = tmp_path_factory.mktemp("prometheus")
    server = PrometheusServer(workdir, openmetrics_for_drill())
    rules = write_rules(workdir)
    config = workdir / "prometheus.yml"
    config.write_text(config.read_text() + f"rule_files: [{rules}]\n")
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while not _rules(server.url) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield server
    server.stop()


def _rules(url: str) -> list:
    with urllib.request.urlopen(f"{url}/api/v1/rules?type=alert", timeout=2) as response:
        return json.load(response)["data"]["groups"]


@pytest.fixture(scope="module")
def drill_bundle(prometheus_with_rules, tmp_path_factory):
    """The capture of namespaces default and apps during the drill, written and read back."""
    folder = tmp_path_factory.mktemp("capture")
    with KubeApiDouble(recorded_objects(), recorded_logs()) as kube_api:
        kubeconfig = folder / "kubeconfig"
        kubeconfig.write_text(kubeconfig_yaml(kube_api.url))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KUBECONFIG", str(kubeconfig))
            snapshot = collect(
                KubeSource.connect(),
                ["default", "apps"],
                PrometheusSource(prometheus_with_rules.url),
                WINDOW,
                captured_at=NOW,
            )
    return read_bundle(write_bundle(snapshot, folder / "bundle"))


def test_the_oom_rule_would_have_fired_at_the_first_kill_on_the_killed_container(drill_bundle):
    replays = {r.rule.name: r for r in replay(drill_bundle)}
    oom = replays["ContainerOOMKilled"]
    assert [f.labels["pod"] for f in oom.fired] == [OOM_POD]
    first = oom.first
    assert format_time(first.fired_at) == format_time(OOM_KILLS[0]) == "2025-12-17T09:57:15Z"
    assert first.labels["container"] == "app" and first.labels["severity"] == "critical"
    assert first.resolved_at is None  # the last kill is within the rule's 10 minutes at the capture
    assert not first.from_window_start


def test_rules_whose_condition_never_held_say_they_would_not_have_fired(drill_bundle):
    replays = {r.rule.name: r for r in replay(drill_bundle)}
    assert sorted(replays) == [
        "ContainerCrashLooping",
        "ContainerOOMKilled",
        "ServiceHighErrorRate",
        "ServiceHighLatencyP99",
    ]
    # the drill's requests carry no route label: the /api/ routes the service rules read are not there
    assert [name for name, r in replays.items() if r.first is None] == [
        "ContainerCrashLooping",
        "ServiceHighErrorRate",
        "ServiceHighLatencyP99",
    ]
    _, oom, _, latency = replay_lines(replay(drill_bundle))  # in name order
    assert oom.startswith(
        "ContainerOOMKilled (no for:): could have been detected at 2025-12-17T09:57:15Z "
        f"(namespace=default, pod={OOM_POD}, container=app; pending since 2025-12-17T09:57:15Z). Query: `("
    )
    assert oom.endswith('"default", "", "")  [range 2025-12-17T09:35:00Z .. 2025-12-17T10:05:00Z, step 15s]`')
    assert latency == "ServiceHighLatencyP99 (for 5m): would not have fired in the window."


def test_the_bundle_keeps_each_rule_per_namespace_with_the_query_that_shows_it(drill_bundle):
    body = drill_bundle.metric("alert_containeroomkilled", "default")
    assert body["alert"] == {
        "name": "ContainerOOMKilled",
        "group": "incident-lab.pods",
        "for": "0s",
        "labels": {"root_cause": "oom_killed", "severity": "critical"},
    }
    assert body["query"].endswith('label_replace(vector(1), "namespace", "default", "", "")')
    assert drill_bundle.metric("alert_containeroomkilled", "apps")["data"]["result"] == []


def test_a_condition_fires_once_it_held_for_its_for_duration_without_a_gap():
    held = [T0 + i * STEP for i in (0, 1, 2, 4, 5, 6, 7, 8, 9)]  # a gap at step 3 resets the wait
    pending, fired, resolved, from_start = first_firing(
        held, STEP, timedelta(minutes=1), (T0, T0 + 20 * STEP)
    )
    assert (pending, fired) == (T0 + 4 * STEP, T0 + 8 * STEP)
    assert resolved == T0 + 10 * STEP and not from_start


def test_a_condition_that_never_held_long_enough_is_pending_only_and_one_held_at_the_start_says_so():
    held = [T0, T0 + STEP]
    pending, fired, resolved, from_start = first_firing(held, STEP, timedelta(minutes=5), (T0, T0 + 8 * STEP))
    assert (pending, fired, resolved, from_start) == (T0, None, T0 + 2 * STEP, True)
    assert first_firing([], STEP, timedelta(0), (T0, T0 + STEP)) is None


def test_a_bundle_without_alert_series_is_not_checked(oom_drill):
    assert replay(oom_drill) is None
    assert replay_lines(None) == [f"Alert replay: {NOT_CHECKED}."]


def test_the_postmortem_says_when_each_rule_could_have_detected_it(drill_bundle):
    detection = draft_postmortem(drill_bundle, diagnose_all(drill_bundle)).detection
    assert detection.startswith("Found by hand: no alert opened this incident.")
    assert "- ContainerOOMKilled (no for:): could have been detected at 2025-12-17T09:57:15Z" in detection
    assert "- ContainerCrashLooping (for 5m): would not have fired in the window." in detection


def test_only_the_charts_alerting_rules_are_replayed():
    answer = {
        "data": {
            "groups": [
                {"name": "kubernetes-apps", "rules": [{"type": "alerting", "name": "KubePodCrashLooping"}]},
                {
                    "name": "incident-lab.pods",
                    "rules": [
                        {"type": "recording", "name": "job:up:sum", "query": "sum(up)"},
                        {
                            "type": "alerting",
                            "name": "ContainerCrashLooping",
                            "query": "x > 0",
                            "duration": 300,
                        },
                    ],
                },
            ]
        }
    }
    [rule] = loaded_rules(answer)
    assert (rule.name, rule.group, rule.for_) == (
        "ContainerCrashLooping",
        "incident-lab.pods",
        timedelta(minutes=5),
    )


def test_a_capture_that_found_no_rules_says_why_the_replay_was_not_checked():
    snapshot = Snapshot(
        captured_at=NOW,
        objects=[],
        manifest={
            "missing": [
                "alert series: Prometheus at http://prom:9090 has no incident-lab.* alert rules loaded"
            ]
        },
    )
    assert draft_postmortem(snapshot, []).detection.endswith(
        "- Alert replay: not checked (the bundle holds no alert series): "
        "Prometheus at http://prom:9090 has no incident-lab.* alert rules loaded."
    )


def test_an_alert_series_without_its_rule_or_range_is_a_one_line_error(drill_bundle):
    body = {
        k: v for k, v in drill_bundle.metric("alert_containeroomkilled", "default").items() if k != "step"
    }
    snapshot = Snapshot(captured_at=NOW, objects=[], metrics={"alert_containeroomkilled.default": body})
    with pytest.raises(InputError, match=r"^metrics/alert_containeroomkilled.default: not an alert series"):
        replay(snapshot)
