"""Reading an object against the shapes of the fields the rules read: the wrong types read as absent."""

from __future__ import annotations

from incident_lib.k8s.shapes import unreadable_fields


def test_fields_of_the_wrong_type_are_dropped_and_named_and_the_rest_is_kept():
    pod = {
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": 3}, "ownerReferences": "rs/web"},
        "spec": {"containers": [{"name": "app", "resources": {"limits": {"memory": "256Mi", "cpu": 0.5}}}]},
        "status": {
            "containerStatuses": [
                "app",
                {
                    "name": "app",
                    "restartCount": "4",
                    "ready": 1,
                    "lastState": {"terminated": {"exitCode": 137}},
                },
            ],
            "hostIP": ["not", "checked"],
        },
    }
    assert unreadable_fields(pod) == [
        "metadata.labels.tier is an integer, not a string",
        "metadata.ownerReferences is a string, not a list",
        "status.containerStatuses[0] is a string, not an object",
        "status.containerStatuses[1].ready is an integer, not a boolean",
        "status.containerStatuses[1].restartCount is a string, not an integer",
    ]
    assert pod["metadata"] == {"name": "web", "labels": {"app": "web"}}
    assert pod["status"] == {
        "containerStatuses": [{"name": "app", "lastState": {"terminated": {"exitCode": 137}}}],
        "hostIP": ["not", "checked"],
    }
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"memory": "256Mi", "cpu": 0.5}


def test_times_must_read_as_rfc_3339_and_null_is_absent_without_a_word():
    event = {
        "kind": "Event",
        "lastTimestamp": "2025-13-17T10:00:00Z",
        "firstTimestamp": "soon",
        "eventTime": None,
        "series": {"lastObservedTime": "2025-12-17T10:00:00.123456Z", "count": True},
    }
    assert unreadable_fields(event) == [
        "series.count is a boolean, not an integer",
        "firstTimestamp is a string, not an RFC 3339 time",
        "lastTimestamp is a string, not an RFC 3339 time",
    ]
    assert event == {"kind": "Event", "series": {"lastObservedTime": "2025-12-17T10:00:00.123456Z"}}


def test_a_kind_no_rule_reads_closely_has_its_metadata_and_conditions_checked():
    crd = {"kind": "Widget", "spec": {"anything": [1, "a"]}, "status": {"conditions": [{"type": 1}]}}
    assert unreadable_fields(crd) == ["status.conditions[0].type is an integer, not a string"]
    assert crd == {"kind": "Widget", "spec": {"anything": [1, "a"]}, "status": {"conditions": [{}]}}
