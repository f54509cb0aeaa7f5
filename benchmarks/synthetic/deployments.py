"""The Deployments of a synthetic cluster and their ReplicaSets: the current one, the previous
revision's (serving while a stuck rollout waits), and up to three older ones scaled to zero (the
revision history). A Deployment's status counts its ReplicaSets' pods."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil

from synthetic import controllers, istio
from synthetic.draws import CAPTURED_AT, Draws
from synthetic.workloads import Workload, previous_revision
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, parse_timestamp

PROGRESS_DEADLINE = timedelta(seconds=600)
INJECTED_VOLUMES = frozenset(istio.VOLUMES)


def deployments(draws: Draws, workloads: list[Workload]) -> tuple[list[tuple[Obj, str]], list[Obj]]:
    """Every Deployment of `workloads` with the state it was generated in, and every ReplicaSet."""
    built, replica_sets = [], []
    for w in workloads:
        if w.kind == "Deployment":
            revision = draws.randint(2, 40)
            created = controllers.made_before(draws, w.all_members())
            template = pod_template(w)
            deployment = deployment_object(draws, w, revision, created, template)
            built.append((deployment, deployment_state(w)))
            replica_sets += revisions(draws, w, deployment, revision, template)
    return built, replica_sets


def revisions(draws: Draws, w: Workload, deployment: Obj, revision: int, template: Obj) -> list[Obj]:
    """The ReplicaSets of Deployment `w`, newest first: the current revision, the previous one if it still
    serves, then older ones (their template `template` with an older image)."""
    made = [replica_set(draws, w, deployment, revision, template)]
    older = revision - 1
    if w.previous is not None:
        made.append(replica_set(draws, w.previous, deployment, older, pod_template(w.previous)))
        older -= 1
    rs = w.previous or w
    for _ in range(min(older, draws.randint(0, 3))):
        rs = previous_revision(draws, rs)
        made.append(replica_set(draws, rs, deployment, older, with_image(template, rs.image)))
        older -= 1
    return made


def pod_template(w: Workload) -> Obj:
    """The pod template of revision `w`: a pod's spec before admission (no node, no injected sidecar,
    no service-account token volume), with the labels the pods carry apart from pod-template-hash."""
    raw = w.members[0].raw
    spec = {k: v for k, v in raw["spec"].items() if k not in ("nodeName", "serviceAccount")}
    tokens = {v["name"] for v in spec["volumes"] if v["name"].startswith("kube-api-access-")}
    app = spec["containers"][0]["name"]

    def as_written(c: Obj) -> Obj:
        mounts = [m for m in c.get("volumeMounts", []) if m["name"] not in tokens]
        return {**c, "image": w.image if c["name"] == app else c["image"], "volumeMounts": mounts}

    spec["containers"] = [as_written(c) for c in spec["containers"] if c["name"] not in istio.CONTAINERS]
    init = [as_written(c) for c in spec.get("initContainers", []) if c["name"] not in istio.CONTAINERS]
    if init:
        spec["initContainers"] = init
    else:
        spec.pop("initContainers", None)
    spec["volumes"] = [v for v in spec["volumes"] if v["name"] not in tokens | INJECTED_VOLUMES]
    labels = {
        k: v
        for k, v in raw["metadata"]["labels"].items()
        if k != "pod-template-hash" and not k.startswith(("security.istio.io", "service.istio.io"))
    }
    labels["app.kubernetes.io/version"] = w.version
    annotations = {
        k: v
        for k, v in raw["metadata"]["annotations"].items()
        if not k.startswith(("sidecar.istio.io", "istio.io"))
    }
    return k8s.pod_template(labels, spec, annotations)


def with_image(template: Obj, image: str) -> Obj:
    """`template` with its app container (the first) running `image`, labelled with that version."""
    spec = template["spec"]
    labels = {**template["metadata"]["labels"], "app.kubernetes.io/version": image.rsplit(":", 1)[1]}
    return {
        "metadata": {**template["metadata"], "labels": labels},
        "spec": {**spec, "containers": [{**spec["containers"][0], "image": image}, *spec["containers"][1:]]},
    }


def deployment_state(w: Workload) -> str:
    """`rollout_stuck` with a previous revision still serving, else whether every replica is ready."""
    if w.previous is not None:
        return "rollout_stuck"
    counted = controllers.active(w.all_members())
    return "available" if len(controllers.ready(counted)) >= len(counted) else "unavailable"


def deployment_object(draws: Draws, w: Workload, revision: int, created: datetime, template: Obj) -> Obj:
    """Deployment `w` at `revision`, whose status counts its ReplicaSets' pods."""
    counted = controllers.active(w.all_members())
    ready_count, replicas = len(controllers.ready(counted)), len(counted)
    since = controllers.ready_changed(w.all_members(), created)
    status: Obj = {
        "availableReplicas": ready_count,
        "conditions": deployment_conditions(w, created, since, ready_count, replicas),
        "observedGeneration": revision + draws.randint(0, 5),
        "readyReplicas": ready_count,
        "replicas": replicas,
        "updatedReplicas": len(controllers.active(w.members)),
        "unavailableReplicas": replicas - ready_count,
    }
    status = {k: v for k, v in status.items() if v or k == "conditions"}  # the API omits zeros
    annotations = {"deployment.kubernetes.io/revision": str(revision), **controllers.helm_annotations(w)}
    metadata = draws.object_meta(
        w.name,
        w.namespace,
        created,
        annotations=annotations,
        generation=status["observedGeneration"],
        labels=controllers.helm_labels(w),
    )
    return k8s.deployment(metadata, replicas, controllers.selector(w), template, status)


def deployment_conditions(
    w: Workload, created: datetime, since: datetime, ready_count: int, replicas: int
) -> list[Obj]:
    """Available (at least 75% of the replicas ready, the controller's 25% max unavailable, rounded
    down), then Progressing: done, or past its deadline with a previous revision still serving."""
    if ready_count >= replicas - replicas // 4:
        available = k8s.deployment_condition(
            "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", since
        )
    else:
        available = k8s.deployment_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            since,
        )
    if w.previous is None:
        message = f'ReplicaSet "{w.owner_name}" has successfully progressed.'
        return [
            available,
            k8s.deployment_condition("Progressing", "True", "NewReplicaSetAvailable", message, created),
        ]
    began = min(p.created for p in w.members)  # the rollout began with the new ReplicaSet's first pod
    deadline = min(began + PROGRESS_DEADLINE, CAPTURED_AT - timedelta(seconds=5))
    message = f'ReplicaSet "{w.owner_name}" has timed out progressing.'
    return [
        available,
        k8s.deployment_condition("Progressing", "False", "ProgressDeadlineExceeded", message, deadline),
    ]


def replica_set(draws: Draws, rs: Workload, deployment: Obj, revision: int, template: Obj) -> Obj:
    """The ReplicaSet `rs.owner_name` (uid `rs.owner_uid`, the pods' owner) of `deployment`."""
    counted = controllers.active(rs.members)
    ready_count = len(controllers.ready(counted))
    labels = {**template["metadata"]["labels"], "pod-template-hash": rs.template_hash}
    wanted = deployment["spec"]["replicas"]
    annotations = {
        "deployment.kubernetes.io/desired-replicas": str(wanted),
        "deployment.kubernetes.io/max-replicas": str(wanted + ceil(wanted / 4)),
        "deployment.kubernetes.io/revision": str(revision),
        **controllers.helm_annotations(rs),
    }
    owner = deployment["metadata"]
    metadata = draws.object_meta(
        rs.owner_name,
        rs.namespace,
        controllers.made_before(draws, rs.members)
        if rs.members
        else parse_timestamp(owner["creationTimestamp"]),
        annotations=annotations,
        generation=draws.randint(1, 6),
        labels=labels,
        ownerReferences=[k8s.owner_reference("Deployment", owner["name"], owner["uid"])],
    )
    metadata["uid"] = rs.owner_uid  # made with the pods it owns; the uid drawn here is not used
    status = {
        "availableReplicas": ready_count,
        "fullyLabeledReplicas": len(counted),
        "observedGeneration": metadata["generation"],
        "readyReplicas": ready_count,
        "replicas": len(counted),
    }
    status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
    template = {**template, "metadata": {**template["metadata"], "labels": labels}}
    return k8s.replica_set(
        metadata,
        len(counted),
        {**controllers.selector(rs), "pod-template-hash": rs.template_hash},
        template,
        status,
    )
