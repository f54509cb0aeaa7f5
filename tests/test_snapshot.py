"""A snapshot's objects are read once, as it is made: duplicates merged, wrong-typed fields read as absent."""

from __future__ import annotations

import shutil

from incident_lib.diagnose import diagnose_pods
from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle
from tests.helpers import CAPTURED_AT, OOM_DRILL, OOM_POD


def pod(name: str, phase: str, uid: str | None = "u-1", version: str | None = None) -> dict:
    metadata = {"name": name, "namespace": "apps", "uid": uid, "resourceVersion": version}
    return {"kind": "Pod", "metadata": {k: v for k, v in metadata.items() if v}, "status": {"phase": phase}}


def phases(objects: list[dict]) -> list[tuple[str, str]]:
    return [(o["metadata"]["name"], o["status"]["phase"]) for o in Snapshot(CAPTURED_AT, objects).objects]


def test_the_same_object_read_twice_keeps_the_newer_resource_version_where_it_was_first_read():
    older, newer = pod("web", "Pending", version="90"), pod("web", "Running", version="107")
    other = pod("db", "Running", uid="u-2")
    assert phases([older, other, newer]) == [("web", "Running"), ("db", "Running")]
    assert phases([newer, other, older]) == [("web", "Running"), ("db", "Running")]


def test_without_a_uid_objects_are_the_same_by_kind_namespace_and_name():
    assert phases([pod("web", "Pending", uid=None), pod("web", "Running", uid=None)]) == [("web", "Running")]
    assert (
        len(
            Snapshot(
                CAPTURED_AT, [{"kind": "Event", "reason": "A"}, {"kind": "Event", "reason": "B"}]
            ).objects
        )
        == 2
    )


def test_objects_of_two_kinds_are_never_merged_even_with_one_uid():
    service = {"kind": "Service", "metadata": {"name": "web", "namespace": "apps", "uid": "u-1"}}
    endpoints = {**service, "kind": "Endpoints"}
    assert len(Snapshot(CAPTURED_AT, [service, endpoints]).objects) == 2


def test_two_kubectl_outputs_of_one_cluster_in_a_bundle_diagnose_as_one(tmp_path):
    bundle = shutil.copytree(OOM_DRILL, tmp_path / "b")
    shutil.copy(bundle / "k8s" / "cluster.json", bundle / "k8s" / "cluster-again.json")
    [diagnosis] = diagnose_pods(read_bundle(bundle), *OOM_POD)
    assert diagnosis.root_cause == "oom_killed"


def test_a_field_of_the_wrong_type_is_listed_under_the_subject_it_informs():
    event = {
        "kind": "Event",
        "metadata": {"name": "web.1", "namespace": "apps"},
        "involvedObject": {"kind": "Pod", "namespace": "apps", "name": "web"},
        "count": "abc",
    }
    bad_pod = pod("web", "Running") | {"spec": {"nodeName": 7}}
    snapshot = Snapshot(CAPTURED_AT, [bad_pod, event])
    assert snapshot.unreadable == {
        ("Pod", "apps", "web"): (
            "spec.nodeName is an integer, not a string",
            "event web.1: count is a string, not an integer",
        )
    }
    assert "nodeName" not in snapshot.objects[0]["spec"] and "count" not in snapshot.objects[1]
