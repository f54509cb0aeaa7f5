"""The cluster view: a snapshot's objects as typed views made once, and the relatives rules and reports ask
for (owners, a workload's pods, a pod's claim, its node, a Service's Endpoints)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from incident_lib.k8s.selectors import matches
from incident_lib.snapshot import Snapshot
from tests.helpers import CAPTURED_AT, ROOT


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


def pod(name: str, namespace: str = "apps", **labels: str) -> dict:
    """A raw pod carrying `labels`."""
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": labels}}


SELECTED = snapshot(
    pod("web-b", app="web", tier="front"),
    pod("api-a", app="api", tier="back"),
    pod("web-a", app="web", tier="back"),
    pod("bare"),
    pod("web-other", namespace="other", app="web", tier="front"),
)


@pytest.mark.parametrize(
    ("selector", "names"),
    [
        ({"app": "web"}, ["web-b", "web-a"]),  # snapshot order, this namespace only
        ({"app": "web", "tier": "back"}, ["web-a"]),
        ({"app": "web", "tier": "side"}, []),
        ({"matchLabels": {"tier": "back"}}, ["api-a", "web-a"]),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}],
            },
            ["web-a"],
        ),
        (
            {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api", "web"]}]},
            ["web-b", "api-a", "web-a"],
        ),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, ["bare"]),
        ({"app": None}, ["bare"]),  # a null value matches pods without the label, as `matches` reads it
        ({"matchLabels": {}}, ["web-b", "api-a", "web-a", "bare"]),  # an empty label selector selects all
        ({}, []),  # an empty Service selector selects nothing
        (None, []),
    ],
)
def test_a_selector_selects_the_pods_of_its_namespace_it_matches_in_snapshot_order(selector, names):
    view = SELECTED.view
    assert [p.name for p in view.selected_pods("apps", selector)] == names
    assert [p.name for p in view.pods_in("apps") if matches(selector, p.labels)] == names


def test_the_selected_pods_are_the_views_own_and_asked_for_once():
    view = SELECTED.view
    first = view.selected_pods("apps", {"app": "web"})
    assert view.selected_pods("apps", {"app": "web"}) is first
    assert first[0] is view.get("Pod", "apps", "web-b")


def test_a_diagnosis_without_metrics_does_not_import_pandas(tmp_path):
    # pandas takes most of the start-up time; only building a metrics frame may load it.
    bundle = tmp_path / "crash-loop"
    shutil.copytree(ROOT / "incidents" / "crash-loop", bundle, ignore=shutil.ignore_patterns("metrics"))
    script = (
        "import sys\n"
        "from incident_lib.cli import main\n"
        f"code = main(['diagnose', '--bundle', {str(bundle)!r}, '--all'])\n"
        "print(code, 'pandas' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert "crash_loop" in done.stdout
    assert done.stderr.split() == ["0", "False"]
