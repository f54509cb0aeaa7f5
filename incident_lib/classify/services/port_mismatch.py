"""`service_port_mismatch`: a targetPort that no selected container exposes."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import ObjectFacts


@rule("Service", "service_port_mismatch", version=1, severity="critical")
def service_port_mismatch(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.8 | a named targetPort no selected container declares
    - 0.5 | a numeric targetPort that no declared containerPort equals (containerPort is informational)
    """
    svc = facts.obj
    pods = facts.view.selected_pods(svc.namespace, facts.spec.get("selector"))
    if not pods:
        return None  # service_no_endpoints says it better
    ports = [
        (port.get("name", ""), port.get("containerPort"))
        for pod in pods
        for container in _containers(pod.raw)
        for port in container.get("ports") or []
    ]
    evidence = []
    for i, port in enumerate(facts.spec.get("ports") or []):
        target = port.get("targetPort", port.get("port"))
        if isinstance(target, str) and not (target.isascii() and target.isdigit()):
            if target not in {name for name, _ in ports}:
                evidence.append(
                    cite.object_field(
                        svc, f"spec.ports[{i}].targetPort", f"{target} (no container port has this name)", 0.8
                    )
                )
        elif ports and target is not None and int(target) not in {number for _, number in ports}:
            # containerPort is informational, so a numeric target may still answer: weaker evidence.
            evidence.append(
                cite.object_field(
                    svc,
                    f"spec.ports[{i}].targetPort",
                    f"{target} (containers declare {sorted({n for _, n in ports})})",
                    0.5,
                )
            )
    if not evidence:
        return None
    declared = ", ".join(sorted({f"{n}:{p}" if n else str(p) for n, p in ports})) or "none"
    recs = (
        Recommendation(
            action="Point targetPort at a port the containers listen on (by name or number)",
            why=f"the selected pods declare: {declared}",
            evidence=tuple(evidence),
            command=f"kubectl get endpoints -n {svc.namespace} {svc.name} -o yaml",
        ),
    )
    return Match(
        f"The Service targets a port its pods do not expose (pods declare {declared}).", tuple(evidence), recs
    )


def _containers(pod: dict) -> list[dict]:
    return (pod.get("spec") or {}).get("containers") or []
