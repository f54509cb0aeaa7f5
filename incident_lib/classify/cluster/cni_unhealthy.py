"""`cni_unhealthy`: the CNI's node agent (calico-node, cilium, flannel…) is not ready on every node.

When calico-node fails its liveness/readiness probes because Felix's health endpoint is not reachable
where the kubelet probes it, the runbook's fix is `FELIX_HEALTHHOST=127.0.0.1`: Felix then serves its
health checks on the loopback address the probe uses, instead of a host name that resolves elsewhere.
"""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Recommendation
from incident_lib.classify.registry import Match, rule
from incident_lib.classify.workloads.pods import failing_pod_evidence
from incident_lib.classify.workloads.replicas_unavailable import desired_and_ready
from incident_lib.facts import ObjectFacts

CNI_AGENTS = ("calico-node", "cilium", "kube-flannel-ds", "weave-net", "canal", "antrea-agent")
_FELIX_PROBE = ("felix", "calico/node is not ready", "9099", "bird is not ready")


@rule(
    "DaemonSet",
    "cni_unhealthy",
    version=1,
    severity="critical",
    explains=("replicas_unavailable", "probe_failure", "crash_loop", "unknown"),
)
def cni_unhealthy(facts: ObjectFacts) -> Match | None:
    """Evidence:
    - 0.7 / 0.3 | the CNI agent (calico-node, cilium, …) ready on fewer nodes than desired / all ready but a
      pod failing
    - 0.2 each | each failing agent pod's diagnosis
    - 0.3 each | probe failures pointing at Felix's health endpoint (recommends `FELIX_HEALTHHOST=127.0.0.1`)
    """
    ds = facts.obj
    if ds.name not in CNI_AGENTS:
        return None
    desired, ready, field = desired_and_ready(facts)
    pods = facts.view.workload_pods(facts.obj)
    failing = failing_pod_evidence(facts, pods)
    if ready >= desired and not failing:
        return None
    evidence = [
        cite.object_field(ds, field, f"{ready} of {desired} nodes", 0.7 if ready < desired else 0.3),
        *failing,
    ]
    felix = _felix_probe_failures(facts, pods)
    evidence += felix
    recs = []
    if felix:
        recs.append(
            Recommendation(
                action="Set FELIX_HEALTHHOST=127.0.0.1 in the calico-node container's environment",
                why="its probes fail on Felix's health endpoint; Felix then serves it on the loopback "
                "address the kubelet probes",
                evidence=tuple(felix),
                command=f"kubectl set env daemonset/{ds.name} -n {ds.namespace} -c calico-node "
                "FELIX_HEALTHHOST=127.0.0.1",
            )
        )
    recs.append(
        Recommendation(
            action=f"Read the logs of the failing {ds.name} pods",
            why="pod networking on those nodes depends on this agent",
            evidence=tuple(evidence),
            command=f"kubectl logs -n {ds.namespace} -l k8s-app={ds.name} --tail=100",
        )
    )
    return Match(
        f"The CNI agent {ds.name} is ready on {ready} of {desired} nodes.", tuple(evidence), tuple(recs)
    )


def _felix_probe_failures(facts: ObjectFacts, pods) -> list:
    """The latest probe failure of each pod whose message points at Felix's health endpoint."""
    found = []
    for pod in pods:
        failures = [
            e
            for e in facts.view.events_about("Pod", pod.namespace, pod.name)
            if e.reason == "Unhealthy" and any(marker in e.message.lower() for marker in _FELIX_PROBE)
        ]
        found += [cite.event(pod.namespace, e, 0.3) for e in failures[-1:]]
    return found[:3]
