"""`cni_unhealthy`: the CNI's node agent (calico-node, cilium, flannel…) is not ready on every node; when
calico-node fails its probes on Felix's health endpoint, the fix is FELIX_HEALTHHOST=127.0.0.1."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def daemon_set(name: str, ready: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system"},
        "status": {"desiredNumberScheduled": 3, "numberReady": ready},
    }


CALICO_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "calico-node-x7k2p",
        "namespace": "kube-system",
        "ownerReferences": [{"kind": "DaemonSet", "name": "calico-node", "controller": True}],
    },
    "spec": {"nodeName": "node-3", "containers": [{"name": "calico-node", "readinessProbe": {"exec": {}}}]},
    "status": {
        "phase": "Running",
        "containerStatuses": [
            {
                "name": "calico-node",
                "ready": False,
                "restartCount": 0,
                "state": {"running": {"startedAt": "2025-12-17T08:00:00Z"}},
            }
        ],
    },
}
FELIX_UNHEALTHY = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "calico-node-x7k2p.unhealthy", "namespace": "kube-system"},
    "involvedObject": {"kind": "Pod", "name": "calico-node-x7k2p", "namespace": "kube-system"},
    "reason": "Unhealthy",
    "type": "Warning",
    "message": "Readiness probe failed: calico/node is not ready: felix is not ready: Get "
    '"http://localhost:9099/readiness": dial tcp 127.0.0.1:9099: connect: connection refused',
    "lastTimestamp": "2025-12-17T10:04:30Z",
}


def test_calico_node_not_ready_on_one_node_is_cni_unhealthy_with_the_felix_fix():
    diagnosis = diagnosis_of(
        "DaemonSet", "calico-node", daemon_set("calico-node", 2), CALICO_POD, FELIX_UNHEALTHY
    )
    assert (diagnosis.root_cause, diagnosis.severity) == ("cni_unhealthy", "critical")
    assert cited(diagnosis, "status.numberReady") == "2 of 3 nodes"
    assert cited(diagnosis, "Pod/calico-node-x7k2p").startswith("probe_failure ")
    assert cited(diagnosis, "Pod/calico-node-x7k2p Warning Unhealthy").startswith("Readiness probe failed")
    assert diagnosis.summary == "The CNI agent calico-node is ready on 2 of 3 nodes."
    assert diagnosis.recommendations[0].command == (
        "kubectl set env daemonset/calico-node -n kube-system -c calico-node FELIX_HEALTHHOST=127.0.0.1"
    )


def test_calico_node_ready_everywhere_is_healthy():
    assert diagnosis_of("DaemonSet", "calico-node", daemon_set("calico-node", 3)).root_cause == "healthy"


def test_another_daemonset_short_of_nodes_is_replicas_unavailable_not_the_cni():
    diagnosis = diagnosis_of("DaemonSet", "log-agent", daemon_set("log-agent", 2))
    assert diagnosis.root_cause == "replicas_unavailable"
