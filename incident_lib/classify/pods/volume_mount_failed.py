"""`volume_mount_failed`: a volume of the pod cannot be attached to its node or mounted, so its containers
cannot start.

The kubelet's `FailedMount` and the attach/detach controller's `FailedAttachVolume` events say why, and
the cause decides the fix: a CSI attach that times out (the driver's controller, the cloud API, the
VolumeAttachment), a volume still attached to another node (`Multi-Attach error`: the old pod's node
must let go), or a mount the node refuses (the volume's source, its permissions). A ConfigMap or Secret
volume whose object does not exist is `config_error`, which names the object: that is a missing
reference, not a storage fault.
"""

from __future__ import annotations

import re

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.config_error import missing_references
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.event import Event
from incident_lib.k8s.objects import ObjectView

_VOLUME = re.compile(r'volume "([^"]+)"|unmounted volumes=\[([^\]]*)\]')
_MULTI_ATTACH = re.compile(r"Multi-Attach error", re.I)
_ATTACH_TIMEOUT = re.compile(
    r"DeadlineExceeded|deadline exceeded|timed out waiting for external-attacher", re.I
)
WEIGHTS = {"FailedAttachVolume": 0.6, "FailedMount": 0.5}
WAITING = frozenset({"ContainerCreating", "PodInitializing"})

# What each kind of failure means, what to do and why.
_KINDS = {
    "multi_attach": (
        "is still attached to another node",
        "Let the volume go from its old node: delete the pod that still holds it (or wait for its node "
        "to detach it), then this pod starts",
        "a ReadWriteOnce volume attaches to one node at a time",
    ),
    "attach_timeout": (
        "cannot be attached: the CSI attach timed out",
        "Check the CSI driver's controller (external-attacher) logs and the VolumeAttachment of the "
        "volume, and the storage backend's API and quotas",
        "the attach call to the storage backend did not finish in time",
    ),
    "mount_error": (
        "cannot be mounted on the node",
        "Read the mount error in the event and fix the volume's source (server, path, permissions) or "
        "the node's mount tools",
        "the kubelet could not mount the volume, so the containers cannot start",
    ),
}


@rule("Pod", "volume_mount_failed", version=1, severity="critical", needs=("PersistentVolumeClaim",))
def volume_mount_failed(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.6 / 0.5 | the latest `FailedAttachVolume` / `FailedMount` event (a missing ConfigMap or Secret
      is `config_error`'s)
    - 0.2 | each container still waiting in ContainerCreating / PodInitializing
    - 0 | the claim of the volume and its PersistentVolume (context)
    """
    pod = facts.pod
    waiting = [c for c in pod.containers if c.waiting_reason in WAITING]
    if pod.phase not in ("", "Pending", "Running") or not waiting:
        return None  # the pod started (or finished): an old mount failure is history
    failures = [
        latest
        for reason in WEIGHTS
        for latest in [e for e in facts.events_with(reason) if not missing_references(e.message)][-1:]
    ]
    if not failures:
        return None
    kind = _kind(failures)
    evidence = [pod_evidence.event(facts, e, WEIGHTS[e.reason]) for e in failures]
    evidence += [
        pod_evidence.container_status(facts, c, "state.waiting.reason", c.waiting_reason, 0.2)
        for c in waiting
    ]
    volumes = _volumes(facts, failures)
    evidence += _claim_evidence(facts, volumes)
    what, action, why = _KINDS[kind]
    named = ", ".join(volumes) or "a volume"
    recs = (
        Recommendation(
            action=action,
            why=why,
            evidence=tuple(evidence),
            command=_command(facts, kind),
        ),
        Recommendation(
            action="Read every mount and attach event of the pod",
            why="each one carries the storage driver's own error",
            evidence=tuple(evidence[: len(failures)]),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(f"Volume {named} {what}; the containers cannot start.", tuple(evidence), recs)


def _kind(failures: list[Event]) -> str:
    text = " ".join(e.message for e in failures)
    if _MULTI_ATTACH.search(text):
        return "multi_attach"
    if any(e.reason == "FailedAttachVolume" for e in failures) or _ATTACH_TIMEOUT.search(text):
        return "attach_timeout"
    return "mount_error"


def _volumes(facts: PodFacts, failures: list[Event]) -> list[str]:
    """The pod's volumes the events name, in order, once each: an attach event names the
    PersistentVolume, which is read back as the pod's volume that claims it."""
    by_volume = {bound: name for name, (_, bound) in _claims(facts).items() if bound}
    names: list[str] = []
    for event in failures:
        for one, listed in _VOLUME.findall(event.message):
            for name in [one] if one else listed.split():
                if by_volume.get(name, name) not in names:
                    names.append(by_volume.get(name, name))
    return names


def _claims(facts: PodFacts) -> dict[str, tuple[ObjectView, str]]:
    """The pod's volumes whose claim the snapshot holds: volume name -> (claim, its PersistentVolume)."""
    pod = facts.pod
    found = {}
    for volume in pod.spec.get("volumes") or []:
        claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        claim = facts.view.claim(pod.namespace, claim_name) if claim_name else None
        if claim is not None:
            found[volume.get("name", "")] = (claim, claim.spec.get("volumeName", ""))
    return found


def _claim_evidence(facts: PodFacts, volumes: list[str]) -> list[Evidence]:
    """The claim and PersistentVolume behind each named volume (context)."""
    return [
        cite.object_field(
            claim,
            "spec.volumeName",
            f"volume {name}: {claim.status.get('phase', '?')}, PersistentVolume {bound or '-'}",
            0.0,
        )
        for name, (claim, bound) in _claims(facts).items()
        if name in volumes
    ]


def _command(facts: PodFacts, kind: str) -> str:
    if kind in ("multi_attach", "attach_timeout"):
        return "kubectl get volumeattachments -o wide"
    pod = facts.pod
    return (
        f"kubectl get events -n {pod.namespace} "
        f"--field-selector involvedObject.name={pod.name},reason=FailedMount"
    )
