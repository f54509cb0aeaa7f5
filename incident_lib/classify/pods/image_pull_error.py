"""`image_pull_error`: the kubelet cannot get the container's image."""

from __future__ import annotations

import re

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "ImageInspectError",
        "RegistryUnavailable",
        "PullImageError",
    }
)
EVENT_REASONS = frozenset({"Failed", "InspectFailed", "ErrImageNeverPull", "BackOff"})

# Why a pull fails, read from the kubelet's message: each needs a different fix. Status codes count only
# as whole words: a digest (sha256:0c4019be…) holds digits like 401 too.
_KINDS = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("invalid_name", r"invalidimagename|invalid reference format|couldn't parse image"),
        ("never_pull", r"errimageneverpull|pull policy of never"),
        ("rate_limited", r"toomanyrequests|rate limit|\b429\b"),
        ("unauthorized", r"unauthorized|authentication required|denied|\b40[13]\b"),
        ("not_found", r"not ?found|manifest unknown|does not exist|\b404\b"),
    )
)
_ADVICE = {
    "invalid_name": "Fix the image reference: it is not a valid name (lowercase, registry/repository:tag)",
    "never_pull": "Load the image on the node or change imagePullPolicy: the policy is Never and the node "
    "does not have it",
    "rate_limited": "Authenticate pulls or use a mirror: the registry is rate-limiting this node",
    "unauthorized": "Give the pod credentials for the registry (an imagePullSecret) or make the image public",
    "not_found": "Fix the image name or tag, or push the image: the registry does not have it",
    "unclear": "Check the image name, the tag and the registry credentials",
}


@rule("Pod", "image_pull_error", version=1, severity="critical")
def image_pull_error(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.85 | `state.waiting.reason` in ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull, …
    - 0 / 0.1 | the image (context) / the waiting message
    - 0.2 each | the two latest pull-failure events
    """
    failing = [c for c in facts.pod.containers if c.waiting_reason in REASONS]
    if not failing:
        return None
    container = failing[0]
    waiting = container.waiting or {}
    evidence = [
        pod_evidence.container_status(
            facts, container, "state.waiting.reason", container.waiting_reason, 0.85
        ),
        pod_evidence.container_spec(
            facts, container, "image", container.spec.get("image") or container.status.get("image"), 0.0
        ),
    ]
    if waiting.get("message"):
        evidence.append(
            pod_evidence.container_status(facts, container, "state.waiting.message", waiting["message"], 0.1)
        )
    pull_events = [e for e in facts.events if e.reason in EVENT_REASONS and _about_pull(e.message)]
    evidence += [pod_evidence.event(facts, e, 0.2) for e in pull_events[-2:]]
    kind = pull_failure_kind(
        " ".join([container.waiting_reason, waiting.get("message", "")] + [e.message for e in pull_events])
    )
    summary = f"The image of container {container.name} cannot be pulled ({kind.replace('_', ' ')})."
    pod = facts.pod
    recs = (
        Recommendation(
            action=_ADVICE[kind],
            why=f"the kubelet reports {container.waiting_reason}",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
        Recommendation(
            action="Set the corrected image on the workload",
            why="the pod spec names the image that fails",
            evidence=(evidence[1],),
            command=f"kubectl set image {pod.workload} -n {pod.namespace} {container.name}=<IMAGE>",
        ),
    )
    return Match(summary, tuple(evidence), recs)


def pull_failure_kind(text: str) -> str:
    """`not_found`, `unauthorized`, `rate_limited`, `invalid_name`, `never_pull` or `unclear`."""
    lowered = text.lower()
    return next((kind for kind, pattern in _KINDS if pattern.search(lowered)), "unclear")


def _about_pull(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("image", "pull"))
