"""The kubectl command that prints one field of an object: what evidence and timeline rows cite."""

from __future__ import annotations

from incident_lib.k8s.field_lookup import field_lookup
from incident_lib.k8s.objects import ObjectView

POD = ObjectView({"kind": "Pod", "metadata": {"name": "web-1", "namespace": "apps"}})


def test_a_container_status_is_filtered_by_the_container_name():
    assert field_lookup(POD, "status.containerStatuses[app].lastState.terminated") == (
        "kubectl get pod -n apps web-1 -o jsonpath="
        """'{.status.containerStatuses[?(@.name=="app")].lastState.terminated}'"""
    )


def test_a_condition_is_filtered_by_its_type_and_a_wildcard_is_kept():
    assert field_lookup(POD, "status.conditions[Ready].status").endswith(
        """jsonpath='{.status.conditions[?(@.type=="Ready")].status}'"""
    )
    assert field_lookup(POD, "subsets[*].addresses").endswith("jsonpath='{.subsets[*].addresses}'")


def test_a_cluster_scoped_object_has_no_namespace_flag():
    node = ObjectView({"kind": "Node", "metadata": {"name": "n1"}})
    assert (
        field_lookup(node, "spec.unschedulable") == "kubectl get node n1 -o jsonpath='{.spec.unschedulable}'"
    )
