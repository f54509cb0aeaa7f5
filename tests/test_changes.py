"""The change index: creations, managedFields writes and rollout revisions, from the snapshot alone,
with and without managedFields, in the same order on every run."""

from __future__ import annotations

from incident_lib.changes import change_index, istio_faults
from incident_lib.k8s.objects import ObjectView, parse_time
from incident_lib.snapshot import Snapshot

NOW = parse_time("2025-12-17T10:05:00Z")


def index(*objects: dict, namespaces: tuple[str, ...] = ()) -> list[tuple[str, str, str, str]]:
    """(time, subject, what, description) of each change, as the index orders them."""
    view = Snapshot(captured_at=NOW, objects=list(objects)).view
    return [(f"{c.at:%H:%M:%S}", c.subject, c.what, c.description) for c in change_index(view, namespaces)]


def obj(kind: str, name: str, created: str, namespace: str = "shop", **fields) -> dict:
    metadata = {"name": name, "namespace": namespace, "creationTimestamp": f"2025-12-17T{created}Z"}
    metadata.update(fields.pop("metadata", {}))
    return {"kind": kind, "metadata": metadata, **fields}


def template(image: str, env: str = "info") -> dict:
    container = {"name": "web", "image": image, "env": [{"name": "LOG_LEVEL", "value": env}]}
    return {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}


def replica_set(name: str, revision: int, created: str, image: str, env: str = "info") -> dict:
    owner = {"kind": "Deployment", "name": "web", "controller": True, "uid": "d1"}
    annotations = {"deployment.kubernetes.io/revision": str(revision)}
    return obj(
        "ReplicaSet",
        name,
        created,
        metadata={"ownerReferences": [owner], "annotations": annotations},
        spec={"template": template(image, env)},
    )


def test_creations_are_changes_but_mirrors_and_what_controllers_make_are_not():
    pod_owner = {"kind": "ReplicaSet", "name": "web-1", "controller": True, "uid": "r1"}
    changes = index(
        obj("Service", "web", "09:00:00", spec={"selector": {"app": "web"}}),
        obj("Endpoints", "web", "09:00:00"),
        obj("Event", "web.1", "09:00:01"),
        obj("Pod", "web-1-abcde", "09:00:02", metadata={"ownerReferences": [pod_owner]}),
        obj("ConfigMap", "web", "08:59:00", data={"b": "2", "a": "1"}),
    )
    assert changes == [
        ("08:59:00", "ConfigMap shop/web", "created", "keys a, b"),
        ("09:00:00", "Service shop/web", "created", "selects app=web"),
    ]


def test_managed_fields_give_the_creator_and_each_later_write_but_not_status_reports():
    managed = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2025-12-17T09:00:00Z"},
        {"manager": "kube-controller-manager", "operation": "Update", "time": "2025-12-17T09:01:00Z",
         "subresource": "status"},
        {"manager": "helm", "operation": "Apply", "time": "2025-12-17T09:30:00Z"},
    ]  # fmt: skip
    service = obj(
        "Service", "web", "09:00:00", metadata={"managedFields": managed}, spec={"selector": {"app": "web"}}
    )
    assert index(service) == [
        ("09:00:00", "Service shop/web", "created", "now selects app=web (by kubectl-client-side-apply)"),
        ("09:30:00", "Service shop/web", "updated", "selects app=web (by helm, Apply)"),
    ]


def test_without_managed_fields_an_edited_object_says_its_edit_time_is_not_recorded():
    edited = obj("Service", "web", "09:00:00", metadata={"generation": 3})
    assert index(edited) == [
        ("09:00:00", "Service shop/web", "created", "edited since (generation 3), when is not recorded")
    ]


def test_each_deployment_revision_after_the_first_says_which_template_fields_changed():
    changes = index(
        obj(
            "Deployment", "web", "09:00:00", metadata={"generation": 4}, spec={"template": template("web:3")}
        ),
        replica_set("web-1", 1, "09:00:00", "web:1"),
        replica_set("web-2", 2, "09:40:00", "web:2"),
        replica_set("web-3", 3, "09:50:00", "web:2", env="debug"),
        replica_set("web-5", 5, "10:00:00", "web:3"),
    )
    assert changes == [
        ("09:00:00", "Deployment shop/web", "created",
         "now image web:3 (edited since (generation 4), when is not recorded)"),
        ("09:40:00", "Deployment shop/web", "revision 2", "web: image web:1 → web:2"),
        ("09:50:00", "Deployment shop/web", "revision 3", "web: env"),
        ("10:00:00", "Deployment shop/web", "revision 5", "revision 4 is not captured to compare"),
    ]  # fmt: skip


def test_a_statefulset_revision_compares_its_controller_revisions_templates():
    owner = {"kind": "StatefulSet", "name": "db", "controller": True, "uid": "s1"}

    def revision(number: int, created: str, image: str) -> dict:
        data = {"spec": {"template": template(image)}}
        metadata = {"ownerReferences": [owner]}
        return obj(
            "ControllerRevision", f"db-{number}", created, metadata=metadata, revision=number, data=data
        )

    changes = index(revision(1, "09:00:00", "db:1"), revision(2, "09:30:00", "db:2"))
    assert changes == [("09:30:00", "StatefulSet shop/db", "revision 2", "web: image db:1 → db:2")]


def test_only_the_namespaces_asked_for_and_the_same_order_every_time():
    objects = [obj("Service", name, "09:00:00", namespace=ns) for ns in ("b", "a") for name in ("y", "x")]
    objects.append({"kind": "Node", "metadata": {"name": "n1", "creationTimestamp": "2025-12-17T08:00:00Z"}})
    assert [c[1] for c in index(*objects, namespaces=("a",))] == ["Service a/x", "Service a/y"]
    assert [c[1] for c in index(*reversed(objects))] == [
        "Node n1",
        "Service a/x",
        "Service a/y",
        "Service b/x",
        "Service b/y",
    ]


def test_istio_faults_read_percentage_the_older_percent_and_no_share_as_none():
    routes = [
        {"fault": {"delay": {"fixedDelay": "1500ms", "percentage": {"value": 12.5}}}},
        {"fault": {"abort": {"httpStatus": 503, "percent": 10}}},
        {"fault": {"delay": {"fixedDelay": "5s"}}},
        {"route": [{"destination": {"host": "web"}}]},
    ]
    vs = ObjectView({"kind": "VirtualService", "spec": {"http": routes}})
    assert [(f.route, str(f)) for f in istio_faults(vs)] == [
        (0, "delay 1500ms on 12.5% of requests"),
        (1, "abort HTTP 503 on 10% of requests"),
        (2, "delay 5s on 0% of requests"),
    ]
