"""The incident timeline: UTC order, merged repeats, and a lookup on every row."""

from __future__ import annotations

from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import parse_time
from incident_lib.report.timeline import build_timeline, event_entries, timeline_text
from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle
from tests.helpers import ROOT


def event(
    name: str, reason: str, message: str, first: str, last: str | None = None, count: int = 1, **kw
) -> dict:
    """A core/v1 Event about pod `name` in `apps`, as `kubectl get events -o json` prints it."""
    return {
        "kind": "Event",
        "metadata": {"name": f"{name}.{reason}", "namespace": "apps", "uid": f"uid-{name}-{reason}-{first}"},
        "involvedObject": {"kind": "Pod", "name": name, "namespace": "apps", "uid": f"pod-uid-{name}"},
        "reason": reason,
        "message": message,
        "type": kw.get("type", "Warning"),
        "count": count,
        "firstTimestamp": first,
        "lastTimestamp": last or first,
    }


def rows_of(raw_events: list[dict], *args) -> list:
    """The timeline rows of raw events, read as the cluster view reads them."""
    return event_entries([Event(raw) for raw in raw_events], *args)


def test_an_event_seen_14_times_is_one_row_with_its_count_and_last_time():
    [row] = rows_of([event("web-1", "BackOff", "Back-off restarting", "2025-12-17T09:56:33Z",
                                 "2025-12-17T10:04:58Z", count=14)])  # fmt: skip
    assert row.times == "x14" and row.until == parse_time("2025-12-17T10:04:58Z")
    assert row.lookup == (
        "kubectl get events -n apps --field-selector "
        "involvedObject.kind=Pod,involvedObject.name=web-1,reason=BackOff"
    )


def test_the_same_event_on_several_objects_is_one_row_listing_them():
    probe = "Liveness probe failed: Get http://10.0.0.{}:9099/liveness: connection refused"
    rows = rows_of(
        [event(f"calico-node-{i}", "Unhealthy", probe.format(i), f"2025-12-17T10:0{i}:00Z") for i in range(3)]
        + [event("web-1", "Unhealthy", "Readiness probe failed: HTTP 503", "2025-12-17T10:01:30Z")]
    )
    # the IPs differ, so the messages differ: only identical messages (names taken out) merge
    assert len(rows) == 4
    same = [
        event(f"calico-node-{i}", "Unhealthy", "Liveness probe failed", f"2025-12-17T10:0{i}:00Z")
        for i in range(3)
    ]
    [row] = rows_of(same)
    assert row.count == 3 and row.objects == (
        "Pod apps/calico-node-0",
        "Pod apps/calico-node-1",
        "Pod apps/calico-node-2",
    )
    assert "(the same on 3 objects)" in row.what and "--field-selector reason=Unhealthy" in row.lookup


def test_messages_naming_their_own_object_still_merge_and_far_apart_ones_do_not():
    rows = rows_of(
        [
            event("web-1", "BackOff", "Back-off restarting failed container in pod web-1_apps(pod-uid-web-1)",
                  "2025-12-17T10:00:00Z"),
            event("web-2", "BackOff", "Back-off restarting failed container in pod web-2_apps(pod-uid-web-2)",
                  "2025-12-17T10:02:00Z"),
            event("web-3", "BackOff", "Back-off restarting failed container in pod web-3_apps(pod-uid-web-3)",
                  "2025-12-17T11:00:00Z"),
        ]
    )  # fmt: skip
    assert [r.count for r in rows] == [2, 1]


def test_an_event_read_twice_counts_once():
    twice = event("web-1", "Killing", "Stopping container web", "2025-12-17T10:00:00Z")
    assert [r.count for r in rows_of([twice, dict(twice)])] == [1]


def test_times_with_offsets_are_normalised_to_utc_and_ordered():
    snapshot = Snapshot(
        captured_at=parse_time("2025-12-17T10:05:00Z"),
        objects=[
            event("web-1", "Killing", "Stopping container web", "2025-12-17T11:01:00+01:00", type="Normal"),
            event("web-1", "BackOff", "Back-off restarting", "2025-12-17T10:00:30Z"),
            {**event("web-1", "Scheduled", "Successfully assigned", "", type="Normal"),
             "firstTimestamp": None, "lastTimestamp": None, "eventTime": "2025-12-17T09:59:00.123456Z"},
        ],
    )  # fmt: skip
    rows = build_timeline(snapshot)
    assert [r.at.isoformat() for r in rows] == [
        "2025-12-17T09:59:00.123456+00:00",
        "2025-12-17T10:00:30+00:00",
        "2025-12-17T10:01:00+00:00",
    ]
    assert (
        timeline_text(rows)
        .splitlines()[2]
        .startswith("2025-12-17T10:01:00Z  event       Pod apps/web-1: Killing")
    )


def test_the_oom_drill_timeline_has_each_kill_restart_and_memory_crossing(oom_drill):
    rows = build_timeline(oom_drill, ["default"], oom_drill.window)
    assert rows == sorted(rows, key=lambda r: r.sort_key())
    whats = [r.what for r in rows]
    assert sum(w.startswith("OOMKilling:") for w in whats) == 4  # node events of the pod's node are in scope
    assert sum("restart count" in w for w in whats) == 4
    assert sum("reached 90% of its 256Mi limit" in w for w in whats) == 4
    backoff = next(r for r in rows if r.what.startswith("BackOff:"))
    assert backoff.times == "x14"
    crossing = next(r for r in rows if "reached 90%" in r.what)
    assert crossing.lookup.startswith(
        "sum by (namespace, pod, container) (container_memory_working_set_bytes"
    )
    assert all(r.lookup for r in rows)
    assert not any("apps/" in r.subject for r in rows)  # out-of-scope namespaces stay out


def test_changes_are_rows_and_each_service_crosses_its_slo_once_per_signal():
    latency = read_bundle(ROOT / "incidents" / "latency")
    rows = build_timeline(latency, ["apps"], latency.window)
    assert [(r.source, r.subject, r.what) for r in rows] == [
        ("change", "VirtualService apps/payments-service",
         "created: fault: delay 1500ms on 100% of requests to payments-service.apps.svc.cluster.local"),
        ("prometheus", "service apps/payments-service", "p99 latency rose above 1s (2.2s)"),
        ("prometheus", "service apps/backend-api", "p99 latency rose above 1s (1.07s)"),
    ]  # fmt: skip
    # backend-api is over the SLO in both profiles: its row is the Istio series', as the rules read it
    assert "istio_request_duration_milliseconds_bucket" in rows[2].lookup
    assert rows[0].lookup == (
        "kubectl get virtualservice -n apps payments-service -o jsonpath='{.metadata.creationTimestamp}'"
    )


def test_an_object_created_with_nothing_else_in_scope_is_still_a_row():
    bad_service = read_bundle(ROOT / "incidents" / "bad-service")
    assert timeline_text(build_timeline(bad_service, ["default"], bad_service.window)) == (
        "2025-12-17T10:40:00Z  change      Service default/bad-service: created: selects app=no-such-app"
    )


def test_image_pulls_and_container_starts_fold_into_one_routine_row():
    routine = [
        event("web-1", reason, f"{reason} web", f"2025-12-17T10:00:0{i}Z", type="Normal")
        for i, reason in enumerate(("Pulling", "Pulled", "Created", "Started"))
    ]
    rows = rows_of([*routine, event("web-1", "BackOff", "Back-off restarting", "2025-12-17T10:00:09Z")])
    assert [(r.what, r.count) for r in rows] == [
        ("Pulling, Pulled, Created, Started: routine container start (image pulls, containers created and "
         "started)", 4),
        ("BackOff: Back-off restarting", 1),
    ]  # fmt: skip
    assert rows[0].lookup.endswith("involvedObject.kind=Pod,involvedObject.name=web-1,type=Normal")
    assert not rows[0].warning
