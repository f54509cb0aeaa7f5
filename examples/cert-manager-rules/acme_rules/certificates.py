"""`certificate_not_ready`: a pod cannot start because a Secret it needs is missing, and the cert-manager
Certificate that should write that Secret is not Ready."""

from __future__ import annotations

from incident_lib.classify import cite
from incident_lib.classify.evidence import Evidence, Recommendation
from incident_lib.classify.pods import pod_evidence
from incident_lib.classify.pods.config_error import missing_references
from incident_lib.classify.registry import Match, rule
from incident_lib.facts import PodFacts
from incident_lib.k8s.kinds import Kind
from incident_lib.k8s.objects import ObjectView

# A CRD is not in incident-lab's catalogue of kinds: say where the API serves it, so the live collector
# lists Certificates and the chart's read-only role may read them.
CERTIFICATE = Kind("Certificate", "cert-manager.io/v1", "certificates")


@rule(
    "Pod",
    "certificate_not_ready",
    version=1,
    severity="critical",
    explains=("config_error",),
    needs=(CERTIFICATE,),
)
def certificate_not_ready(facts: PodFacts) -> Match | None:
    """A Secret the pod needs is missing because the cert-manager Certificate that writes it is not Ready.

    Evidence:
    - 0.5 | the kubelet cannot find the Secret (a `FailedMount` event, or `CreateContainerConfigError`)
    - 0.8 | a Certificate of the pod's namespace whose `spec.secretName` is that Secret is `Ready=False`
    - 0.1 | the Certificate's `Issuing` condition's message, when issuing failed
    - 0 | the Certificate's `spec.secretName` (context: what ties the two)
    """
    missing = _missing_secrets(facts)
    if not missing:
        return None
    pod = facts.pod
    certificates = [
        c
        for c in facts.view.of_kind(CERTIFICATE.kind)
        if c.namespace == pod.namespace
        and c.spec.get("secretName") in missing
        and _condition(c, "Ready").get("status") == "False"
    ]
    if not certificates:
        return None
    evidence, recommendations, causes = [], [], []
    for certificate in certificates:
        secret = certificate.spec["secretName"]
        found = (missing[secret], *_not_ready(certificate))
        evidence += found
        recommendations += _recommendations(certificate, found)
        reason = _condition(certificate, "Ready").get("reason") or "no reason given"
        causes.append(
            f"Secret {secret} is missing because Certificate {certificate.name} is not Ready ({reason})"
        )
    return Match(f"The pod cannot start: {'; '.join(causes)}.", tuple(evidence), tuple(recommendations))


def _missing_secrets(facts: PodFacts) -> dict[str, Evidence]:
    """Each Secret the kubelet could not find for the pod, with the first evidence that says so."""
    found: dict[str, Evidence] = {}
    for container in facts.pod.containers:
        message = (container.waiting or {}).get("message", "")
        if container.waiting_reason == "CreateContainerConfigError":
            for name in _secrets_named(message):
                found.setdefault(
                    name,
                    pod_evidence.container_status(facts, container, "state.waiting.message", message, 0.5),
                )
    for event in facts.events_with("FailedMount"):
        for name in _secrets_named(event.message):
            found.setdefault(name, pod_evidence.event(facts, event, 0.5))
    return found


def _secrets_named(message: str) -> list[str]:
    """The Secrets a kubelet message says do not exist (a missing key in an existing Secret is not one)."""
    return [name for kind, name, key in missing_references(message) if kind == "secret" and key is None]


def _not_ready(certificate: ObjectView) -> list[Evidence]:
    """The Certificate's Ready condition, what ties it to the Secret, and why issuing failed if it says."""
    ready = _condition(certificate, "Ready")
    evidence = [
        cite.object_field(
            certificate,
            "status.conditions[Ready]",
            f"False: {ready.get('reason', '')} {ready.get('message', '')}".strip(),
            0.8,
            at=ready.get("lastTransitionTime"),
        ),
        cite.object_field(certificate, "spec.secretName", certificate.spec["secretName"], 0.0),
    ]
    issuing = _condition(certificate, "Issuing")
    if issuing.get("status") == "False" and issuing.get("message"):
        evidence.append(
            cite.object_field(
                certificate,
                "status.conditions[Issuing].message",
                issuing["message"],
                0.1,
                at=issuing.get("lastTransitionTime"),
            )
        )
    return evidence


def _recommendations(certificate: ObjectView, evidence: tuple[Evidence, ...]) -> list[Recommendation]:
    ns, name, secret = certificate.namespace, certificate.name, certificate.spec["secretName"]
    return [
        Recommendation(
            action=f"Find out why cert-manager has not issued Certificate {name}",
            why=f"cert-manager writes Secret {secret} only once the Certificate is issued",
            evidence=evidence,
            command=f"kubectl describe certificate -n {ns} {name}",
        ),
        Recommendation(
            action="Follow the issuance down: the CertificateRequest, then the ACME Order and its Challenges",
            why="the first one not ready says what blocks issuing: DNS, the HTTP-01 solver or the issuer",
            evidence=evidence,
            command=f"kubectl get certificaterequests,orders,challenges -n {ns}",
        ),
    ]


def _condition(obj: ObjectView, kind: str) -> dict:
    return next((c for c in obj.status.get("conditions") or [] if c.get("type") == kind), {})
