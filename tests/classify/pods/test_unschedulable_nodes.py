"""`unschedulable` with the Nodes in the snapshot: which resource and how short, which taint on which
nodes, which node constraint matches nothing; without them, the scheduler's word and "not checked"."""

from __future__ import annotations

from incident_lib.classify.pods.node_fit import node_fit
from incident_lib.diagnose import diagnose_pods
from incident_lib.k8s.pod import Pod
from tests.classify.objects import cited, snapshot

NO_MEMORY = (
    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient memory."
)


def node(name: str, memory: str = "8Gi", taints: list | None = None, labels: dict | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"taints": taints or []},
        "status": {"allocatable": {"cpu": "4", "memory": memory}},
    }


def placed(name: str, on: str, memory: str) -> dict:
    """A running pod on node `on` that requests `memory`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": name},
        "spec": {
            "nodeName": on,
            "containers": [{"name": "app", "resources": {"requests": {"memory": memory}}}],
        },
        "status": {"phase": "Running"},
    }


def pending(memory: str = "6Gi", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "etl-9c1e-u6", "namespace": "shop", "uid": "etl"},
        "spec": {"containers": [{"name": "etl", "resources": {"requests": {"memory": memory}}}], **spec},
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": NO_MEMORY}
            ],
        },
    }


GPU_TAINT = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
CLUSTER = (
    node("worker-1"),
    node("worker-2"),
    node("gpu-1", taints=[GPU_TAINT]),
    placed("db-0", "worker-1", "5Gi"),
    placed("cache-0", "worker-2", "3Gi"),
)


def etl_diagnosis(*objects: dict, **spec):
    """The diagnosis of the pending pod, beside `objects` (nodes and the pods placed on them)."""
    diagnoses = diagnose_pods(snapshot(pending(**spec), *objects), "shop")
    return next(d for d in diagnoses if d.subject.name == "etl-9c1e-u6")


def test_the_summary_says_which_resource_and_how_short_from_the_nodes():
    diagnosis = etl_diagnosis(*CLUSTER)
    assert diagnosis.summary == (
        "No node can run the pod (insufficient memory: 6.0Gi requested, at most 5.0Gi free (on worker-2), "
        "1.0Gi short; taint: dedicated=gpu:NoSchedule on gpu-1)."
    )
    assert cited(diagnosis, "status.allocatable.memory") == (
        "8.0Gi allocatable, 3.0Gi requested by its 1 pod(s) in the snapshot: "
        "6.0Gi requested, at most 5.0Gi free (on worker-2), 1.0Gi short"
    )
    assert cited(diagnosis, "spec.taints") == "dedicated=gpu:NoSchedule on gpu-1, not tolerated by the pod"
    actions = [r.action for r in diagnosis.recommendations]
    assert actions == [
        "Lower the memory request to at most 5.0Gi, or add node capacity",
        "Add a toleration for dedicated=gpu:NoSchedule, or schedule on untainted nodes",
    ]


def test_computing_from_the_nodes_raises_the_confidence_over_the_message_alone():
    with_nodes = etl_diagnosis(*CLUSTER)
    alone = etl_diagnosis()
    assert with_nodes.confidence > alone.confidence
    assert cited(alone, "nodes") == (
        "not in the snapshot: which nodes lack what, their taints and labels are not checked"
    )
    assert alone.summary == "No node can run the pod (insufficient memory, taint)."


def test_a_tolerated_taint_is_no_blocker():
    toleration = {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
    fit = node_fit(snapshot(*CLUSTER).view, Pod(pending(tolerations=[toleration])))
    assert fit.taints == {}
    assert fit.shortages == ()  # gpu-1, with all its 8Gi free, is a candidate now


def test_a_node_selector_no_node_matches_is_named():
    diagnosis = etl_diagnosis(*CLUSTER, nodeSelector={"disktype": "nvme"})
    assert cited(diagnosis, "spec.nodeSelector") == "nodeSelector disktype=nvme: none of the 3 node(s) match"
    assert "node affinity: nodeSelector disktype=nvme matches no node" in diagnosis.summary


def test_required_node_affinity_is_read_like_the_scheduler():
    arm = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}
                        ]
                    }
                ]
            }
        }
    }
    view = snapshot(*CLUSTER).view
    fit = node_fit(view, Pod(pending(memory="1Gi", affinity=arm)))
    assert fit.unmatched == "required node affinity (kubernetes.io/arch In ['arm64'])"
    labelled = snapshot(node("arm-1", labels={"kubernetes.io/arch": "arm64"})).view
    assert node_fit(labelled, Pod(pending(memory="1Gi", affinity=arm))).unmatched == ""


def test_a_cordoned_node_blocks_like_its_taint():
    cordoned = node("worker-3")
    cordoned["spec"]["unschedulable"] = True
    fit = node_fit(snapshot(cordoned).view, Pod(pending(memory="1Gi")))
    assert list(fit.taints) == ["node.kubernetes.io/unschedulable:NoSchedule"]
