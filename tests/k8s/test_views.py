"""Views over raw API JSON: lists, quantities, pods and their containers, events."""

from __future__ import annotations

import pytest

from incident_lib.k8s.event import Event, EventIndex
from incident_lib.k8s.objects import ObjectView, describe, iter_objects, parse_time
from incident_lib.k8s.pod import Pod
from incident_lib.k8s.quantity import format_bytes, parse_quantity
from tests.helpers import fixture_snapshot


def test_lists_nest_and_kind_lists_restore_the_item_kind():
    document = {
        "kind": "List",
        "items": [{"kind": "PodList", "items": [{"metadata": {"name": "a"}}]}, {"kind": "Node"}],
    }
    assert [o["kind"] for o in iter_objects(document)] == ["Pod", "Node"]
    with pytest.raises(ValueError, match="no 'kind'"):
        list(iter_objects({"metadata": {}}))


@pytest.mark.parametrize(
    ("text", "value"),
    [("256Mi", 256 * 2**20), ("200m", 0.2), ("1.5G", 1.5e9), ("2", 2.0), ("1e3", 1000.0), ("x", None)],
)
def test_quantities(text, value):
    assert parse_quantity(text) == value


def test_bytes_print_in_binary_units():
    assert format_bytes(268435456) == "256.0Mi"


def test_a_pod_lists_init_containers_first_and_names_the_workload_behind_its_replicaset():
    pod = Pod(fixture_snapshot("init-container-oom").of_kind("Pod")[0])
    assert [(c.name, c.init) for c in pod.containers] == [("migrate", True), ("web", False)]
    assert pod.workload == "deployment/web"
    assert pod.container("web").memory_limit == 256 * 2**20


def test_events_are_indexed_by_object_and_node_events_have_no_namespace():
    events = [
        {
            "kind": "Event",
            "metadata": {"namespace": "default"},
            "involvedObject": {"kind": "Node", "name": "n1"},
            "reason": "OOMKilling",
            "lastTimestamp": "2025-12-17T10:00:00Z",
        },
        {
            "kind": "Event",
            "metadata": {"namespace": "shop"},
            "regarding": {"kind": "Pod", "namespace": "shop", "name": "w"},
            "reason": "BackOff",
            "note": "events.k8s.io/v1 form",
            "series": {"count": 4, "lastObservedTime": "2025-12-17T10:01:00Z"},
        },
    ]
    index = EventIndex(Event(e) for e in events)
    assert [e.reason for e in index.about("Node", "", "n1")] == ["OOMKilling"]
    [backoff] = index.about("Pod", "shop", "w")
    assert (backoff.message, backoff.count, backoff.last_seen) == (
        "events.k8s.io/v1 form",
        4,
        "2025-12-17T10:01:00Z",
    )


def test_an_unchecked_object_reads_fields_of_the_wrong_type_as_absent():
    view = ObjectView(
        {"kind": ["Pod"], "metadata": {"name": 5, "namespace": "apps", "labels": ["a"]}, "spec": "x"}
    )
    assert (view.kind, view.name, view.namespace, view.labels, view.spec) == ("", "", "apps", {}, {})
    assert describe(view.raw) == "an object apps"


@pytest.mark.parametrize("text", ["soon", "2025-13-17T10:00:00Z", 1765965827, "0001-01-01T00:00:00+01:00"])
def test_a_time_that_is_not_rfc_3339_is_a_value_error(text):
    with pytest.raises(ValueError, match="not an RFC 3339 time"):
        parse_time(text)
