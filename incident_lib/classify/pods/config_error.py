"""`config_error`: a ConfigMap, Secret or key the pod needs does not exist."""

from __future__ import annotations

import re

from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts

# `configmap "x" not found`, `secret "x" not found`, `couldn't find key k in ConfigMap ns/x`
_MISSING_OBJECT = re.compile(r'\b(configmap|secret)s? "([^"]+)" not found', re.IGNORECASE)
_MISSING_KEY = re.compile(r"couldn't find key (\S+) in (ConfigMap|Secret) (\S+)", re.IGNORECASE)


@rule("Pod", "config_error", version=1, severity="critical", explains=("container_create_error",))
def config_error(facts: PodFacts) -> Match | None:
    """Evidence:
    - 0.7 / 0.2 | `CreateContainerConfigError` / its message
    - 0.75 | a `FailedMount` event naming a ConfigMap or Secret that is not found
    """
    evidence = []
    missing: list[tuple[str, str, str | None]] = []  # (kind, name, key)
    for container in facts.pod.containers:
        if container.waiting_reason != "CreateContainerConfigError":
            continue
        message = (container.waiting or {}).get("message", "")
        evidence.append(
            pod_evidence.container_status(
                facts, container, "state.waiting.reason", container.waiting_reason, 0.7
            )
        )
        if message:
            evidence.append(
                pod_evidence.container_status(facts, container, "state.waiting.message", message, 0.2)
            )
        missing += missing_references(message)
    for event in facts.events_with("FailedMount"):
        refs = missing_references(event.message)
        if refs:
            evidence.append(pod_evidence.event(facts, event, 0.75))
            missing += refs
    if not evidence:
        return None
    missing = sorted(set(missing), key=lambda m: (m[0], m[1], m[2] or ""))
    pod = facts.pod
    what = ", ".join(f"{k} {n}" + (f" (key {key})" if key else "") for k, n, key in missing) or "a reference"
    recs = tuple(
        Recommendation(
            action=f"Create the {kind} {name}"
            + (f" with the key {key}" if key else "")
            + " or fix the reference in the pod spec",
            why=f"the pod cannot start its containers without {kind} {name}",
            evidence=tuple(evidence),
            command=f"kubectl get {kind} -n {pod.namespace} {name}"
            + (f" -o jsonpath='{{.data.{key}}}'" if key and kind == "configmap" else ""),
        )
        for kind, name, key in missing
    ) or (
        Recommendation(
            action="Find the missing ConfigMap, Secret or key named in the message",
            why="the kubelet cannot build the container's configuration",
            evidence=tuple(evidence),
            command=f"kubectl describe pod -n {pod.namespace} {pod.name}",
        ),
    )
    return Match(f"The pod cannot start: missing {what}.", tuple(evidence), recs)


def missing_references(message: str) -> list[tuple[str, str, str | None]]:
    """The (kind, name, key) of each missing ConfigMap, Secret or key a kubelet message names."""
    found: list[tuple[str, str, str | None]] = [
        (k.lower(), n, None) for k, n in _MISSING_OBJECT.findall(message)
    ]
    for key, kind, ref in _MISSING_KEY.findall(message):
        found.append((kind.lower(), ref.split("/")[-1], key))
    return found
