"""The kinds of API object the project knows how to read: where the API serves each one.

Rules name the kinds they need (`@rule(..., needs=("PersistentVolumeClaim",))`); this catalogue turns a
name into its API group, version and resource, so the live collector can list it, the one-pod plan can
fetch it and the chart's read-only role can grant it, with no code of their own per kind. A rule from
outside the project that reads a kind not listed here (a CRD) passes a `Kind` in `needs` instead.
Secrets are not here, and cannot be needed: the project never reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_lib.errors import InputError


@dataclass(frozen=True)
class Kind:
    """One kind: its API version (`v1`, `apps/v1`), resource (plural) name and scope."""

    kind: str
    api_version: str
    resource: str
    namespaced: bool = True

    @property
    def group(self) -> str:
        """The API group, `""` for the core group."""
        return self.api_version.rpartition("/")[0]

    def path(self, namespace: str | None = None) -> str:
        """The list path of this kind, in `namespace` or (None) across the cluster."""
        root = f"/apis/{self.api_version}" if self.group else f"/api/{self.api_version}"
        scope = f"/namespaces/{namespace}" if namespace and self.namespaced else ""
        return f"{root}{scope}/{self.resource}"


KINDS: dict[str, Kind] = {
    k.kind: k
    for k in (
        Kind("Pod", "v1", "pods"),
        Kind("Event", "v1", "events"),
        Kind("Service", "v1", "services"),
        Kind("Endpoints", "v1", "endpoints"),
        Kind("LimitRange", "v1", "limitranges"),
        Kind("ResourceQuota", "v1", "resourcequotas"),
        Kind("PersistentVolumeClaim", "v1", "persistentvolumeclaims"),
        Kind("PersistentVolume", "v1", "persistentvolumes", namespaced=False),
        Kind("Deployment", "apps/v1", "deployments"),
        Kind("ReplicaSet", "apps/v1", "replicasets"),
        Kind("StatefulSet", "apps/v1", "statefulsets"),
        Kind("DaemonSet", "apps/v1", "daemonsets"),
        Kind("ControllerRevision", "apps/v1", "controllerrevisions"),
        Kind("Job", "batch/v1", "jobs"),
        Kind("CronJob", "batch/v1", "cronjobs"),
        Kind("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers"),
        Kind("StorageClass", "storage.k8s.io/v1", "storageclasses", namespaced=False),
        Kind("Node", "v1", "nodes", namespaced=False),
        Kind("Namespace", "v1", "namespaces", namespaced=False),
        Kind("DestinationRule", "networking.istio.io/v1beta1", "destinationrules"),
        Kind("VirtualService", "networking.istio.io/v1beta1", "virtualservices"),
        Kind("PeerAuthentication", "security.istio.io/v1beta1", "peerauthentications"),
    )
}

# Kinds that are part of an add-on, not of every cluster: a 404 on their list means "not installed".
OPTIONAL_GROUPS = frozenset({"networking.istio.io", "security.istio.io"})


def kind_of(need: str | Kind) -> Kind:
    """The catalogue entry of a kind named in `needs` (a `Kind` stands for itself)."""
    if isinstance(need, Kind):
        return need
    if need == "Secret":
        raise InputError("Secret: the project never reads Secrets; a rule cannot need them")
    try:
        return KINDS[need]
    except KeyError:
        raise InputError(
            f"kind {need!r} is not in the catalogue (incident_lib/k8s/kinds.py); pass a Kind(...) for a CRD"
        ) from None
