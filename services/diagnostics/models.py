"""The bodies of `/ask` and `/alerts`, as pydantic models: validation and the OpenAPI schema.

Names are checked with incident_lib.names (the same DNS-1123 rules as the CLI and the PromQL
catalogue), and a bad one is a 422 whose `loc` names the field. Unknown fields are refused, and a
request names exactly one subject: `pod_name` or `service_name`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from incident_lib.errors import InputError
from incident_lib.names import dns_label, dns_subdomain

LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

EXAMPLES = {
    "service": {
        "summary": "A Service (the runbook's first example)",
        "value": {"namespace": "apps", "service_name": "backend-api", "include_logs": False},
    },
    "pod": {
        "summary": "A pod, with the tail of its container logs",
        "value": {"namespace": "default", "pod_name": "oom-test-7f77d89c59-vqgkt", "include_logs": True},
    },
}


def _checked(check, value: str, what: str) -> str:
    try:
        return check(value, what)
    except InputError as exc:
        # The message is the library's own, so the API and the CLI say the same thing.
        raise PydanticCustomError("dns_1123_name", "{reason}", {"reason": str(exc)}) from None


class AskRequest(BaseModel):
    """What to diagnose: one pod or one Service of a namespace."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    namespace: str = Field(
        description="Namespace of the subject: a DNS-1123 label.",
        max_length=63,
        json_schema_extra={"pattern": LABEL},
        examples=["apps"],
    )
    pod_name: str | None = Field(
        default=None,
        description="Name of the pod to diagnose (a DNS-1123 subdomain). Give this or service_name.",
        max_length=253,
        json_schema_extra={"pattern": SUBDOMAIN},
        examples=["oom-test-7f77d89c59-vqgkt"],
    )
    service_name: str | None = Field(
        default=None,
        description="Name of the Service to diagnose (a DNS-1123 label). Give this or pod_name.",
        max_length=63,
        json_schema_extra={"pattern": LABEL},
        examples=["backend-api"],
    )
    include_logs: bool = Field(
        default=False,
        description="Add the redacted tail of the subject's container logs under `logs` (for a Service, "
        "the logs of its pods that are not ready).",
    )

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return _checked(dns_label, value, "namespace")

    @field_validator("pod_name")
    @classmethod
    def _pod(cls, value: str | None) -> str | None:
        return None if value is None else _checked(dns_subdomain, value, "pod")

    @field_validator("service_name")
    @classmethod
    def _service(cls, value: str | None) -> str | None:
        return None if value is None else _checked(dns_label, value, "service")

    @model_validator(mode="after")
    def _one_subject(self) -> AskRequest:
        if (self.pod_name is None) == (self.service_name is None):
            given = "both" if self.pod_name is not None else "neither"
            raise PydanticCustomError(
                "one_subject",
                "give exactly one of pod_name or service_name ({given} given)",
                {"given": given},
            )
        return self


class Subject(BaseModel):
    kind: str = Field(examples=["Pod"])
    namespace: str
    name: str


class EvidenceOut(BaseModel):
    id: str = Field(description="Referenced by recommendations.", examples=["e1"])
    source: str = Field(description="Where the fact came from: pod.status, event, prometheus, log…")
    field: str = Field(description="The API field, event, or catalogue signal.")
    value: Any
    at: str | None = Field(description="When the fact was observed (RFC 3339).")
    weight: float = Field(description="Its weight in the confidence (docs/confidence.md).")
    lookup: str = Field(description="The kubectl command or PromQL query (with its range) to look again.")


class RecommendationOut(BaseModel):
    action: str
    why: str
    evidence: list[str] = Field(description="Ids of the evidence it rests on.")
    command: str


class OtherCause(BaseModel):
    root_cause: str
    confidence: float


class LogTail(BaseModel):
    pod: str
    container: str
    previous: bool = Field(description="True for the log of the previous (crashed) instance.")
    lines: list[str] = Field(description="The last lines of the log, secrets redacted.")


class Logs(BaseModel):
    tail_lines: int = Field(description="At most this many lines per log.")
    pods: list[str] = Field(description="The pods whose logs were looked for.")
    captured: list[LogTail]
    missing: list[str] = Field(description="Logs that were looked for and not found.")
    note: str | None = Field(default=None, description="Says so when no log was captured, and why.")


class DiagnosisOut(BaseModel):
    """the Diagnosis JSON of docs/design.md; `logs` only when the request asked for them."""

    subject: Subject
    root_cause: str = Field(description="A name from docs/design.md's vocabulary.", examples=["oom_killed"])
    confidence: float = Field(ge=0, le=1, examples=[0.95])
    severity: str = Field(examples=["critical"])
    summary: str
    evidence: list[EvidenceOut]
    recommendations: list[RecommendationOut]
    rule: str = Field(examples=["pods.oom_killed/1"])
    other_causes: list[OtherCause]
    missing_evidence: list[str] = Field(description="What could have been used but was not available.")
    logs: Logs | None = None


class SourceCheck(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    source: str = Field(examples=["bundle"])
    checks: dict[str, SourceCheck] = Field(description="Each source the API needs, and whether it answers.")


class Problem(BaseModel):
    detail: str = Field(description="One line saying what is wrong.")


ALERT_EXAMPLE = {
    "version": "4",
    "receiver": "incident-lab",
    "status": "firing",
    "groupKey": '{}:{alertname="KubePodCrashLooping"}',
    "groupLabels": {"alertname": "KubePodCrashLooping"},
    "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": "default", "severity": "warning"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.monitoring:9093",
    "truncatedAlerts": 0,
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "KubePodCrashLooping",
                "namespace": "default",
                "pod": "oom-test-7f77d89c59-vqgkt",
                "container": "app",
                "severity": "warning",
            },
            "annotations": {"summary": "Pod is crash looping."},
            "startsAt": "2025-12-17T10:03:47Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.monitoring:9090/graph",
            "fingerprint": "5d8d1c6fa4b2e3a1",
        }
    ],
}


class AlertsAccepted(BaseModel):
    """A notification queued: its group's incident is recorded in the background."""

    queued: bool
    group: str = Field(description="The group's hash: the end of its incident's id.", examples=["3f2a9c1b0d"])
    waiting: int = Field(description="Alert groups waiting to be handled, this one included.")
