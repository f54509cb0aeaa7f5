"""The cluster view: a snapshot's objects as typed views made once, and the relatives rules and reports ask
for (owners, a workload's pods, a pod's claim, its node, a Service's Endpoints)."""

from __future__ import annotations

from incident_lib.snapshot import Snapshot
from tests.helpers import CAPTURED_AT


def obj(kind: str, name: str, namespace: str = "apps", owner: tuple[str, str] | None = None, **rest) -> dict:
    """A raw API object; `owner` is its controller's (kind, name)."""
    metadata: dict = {"name": name, "namespace": namespace}
    if owner:
        metadata["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {"kind": kind, "metadata": metadata, **rest}


def snapshot(*objects: dict) -> Snapshot:
    return Snapshot(captured_at=CAPTURED_AT, objects=list(objects))


WEB = snapshot(
    obj("Deployment", "web"),
    obj("ReplicaSet", "web-5d9f", owner=("Deployment", "web")),
    obj("Pod", "web-5d9f-b", owner=("ReplicaSet", "web-5d9f"), spec={"nodeName": "n1"}),
    obj("Pod", "web-5d9f-a", owner=("ReplicaSet", "web-5d9f"), spec={"nodeName": "n1"}),
    obj("Pod", "other", spec={"nodeName": "n2"}),
    obj("Node", "n1", namespace=""),
    obj("PersistentVolumeClaim", "data", status={"phase": "Pending"}),
    obj("Endpoints", "web", subsets=[{"addresses": [{"ip": "10.0.0.1"}]}]),
)


def test_the_view_is_built_once_per_snapshot_and_wraps_each_pod_once():
    view = WEB.view
    assert WEB.view is view
    assert [p.name for p in view.pods] == ["web-5d9f-b", "web-5d9f-a", "other"]
    assert view.pods_in("apps")[0] is view.pods[0] is view.get("Pod", "apps", "web-5d9f-b")
    assert view.pods_in("elsewhere") == []


def test_a_deployment_owns_its_pods_through_its_replicasets_sorted_by_name():
    view = WEB.view
    pods = view.workload_pods(view.get("Deployment", "apps", "web"))
    assert [p.name for p in pods] == ["web-5d9f-a", "web-5d9f-b"]
    assert all(p in view.pods for p in pods)  # the view's own pods, not new wrappers


def test_the_owner_chain_of_a_pod_goes_up_to_its_deployment():
    view = WEB.view
    pod = view.get("Pod", "apps", "web-5d9f-a")
    assert [(o.kind, o.name) for o in view.owner_chain(pod)] == [
        ("ReplicaSet", "web-5d9f"),
        ("Deployment", "web"),
    ]
    assert view.owner_chain(view.get("Pod", "apps", "other")) == []


def test_the_owner_chain_stops_at_an_owner_not_captured_and_at_a_cycle():
    orphan = snapshot(obj("Pod", "p", owner=("ReplicaSet", "gone")))
    assert orphan.view.owner_chain(orphan.view.pods[0]) == []
    looped = snapshot(
        obj("ReplicaSet", "a", owner=("ReplicaSet", "b")), obj("ReplicaSet", "b", owner=("ReplicaSet", "a"))
    )
    first = looped.view.get("ReplicaSet", "apps", "a")
    assert [o.name for o in looped.view.owner_chain(first)] == ["b", "a"]


def test_claims_nodes_and_endpoints_are_typed_views_or_none():
    view = WEB.view
    assert view.claim("apps", "data").status["phase"] == "Pending"
    assert view.claim("apps", "missing") is None
    assert view.node("n1").kind == "Node" and view.node("n9") is None
    assert view.endpoints("apps", "web").raw["subsets"][0]["addresses"] == [{"ip": "10.0.0.1"}]
    assert [p.name for p in view.pods_by_node["n1"]] == ["web-5d9f-b", "web-5d9f-a"]


def test_metrics_of_a_namespace_are_split_once_for_every_reader():
    view = WEB.view
    assert view.metrics("apps") is view.metrics("apps")
    assert view.metrics("apps").for_subject("web-5d9f-a").get("restarts") is None  # none stored
