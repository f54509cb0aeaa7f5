"""Alertmanager's webhook payload (`version: "4"`), validated into frozen dataclasses.

A payload that is not what Alertmanager sends is a `PayloadError` naming the field
(`alerts[2].startsAt: not an RFC 3339 time`). Fields Alertmanager may add later are ignored.

Each alert's subjects come from its labels by kube-prometheus conventions: `namespace`, `pod`,
`service`, `deployment`, `statefulset`, `daemonset`, `job_name`, `horizontalpodautoscaler`, `node`. A
label value that is not a Kubernetes name is left out with a note (it would reach a URL or a PromQL
query), and an alert with no subject labels is kept, with a note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from incident_lib.classify.diagnosis import Subject
from incident_lib.errors import InputError
from incident_lib.k8s.objects import parse_time
from incident_lib.names import dns_label, dns_subdomain

VERSION = "4"
STATUSES = ("firing", "resolved")
MAX_ALERTS = 1000  # per notification; Alertmanager's max_alerts is unlimited by default
NAMESPACE = "Namespace"  # the subject of an alert that names only a namespace: the namespace's findings
# label -> kind of the subject it names, in a namespace (kube-state-metrics' and the workloads' labels)
OBJECT_LABELS = (
    ("pod", "Pod"),
    ("service", "Service"),
    ("deployment", "Deployment"),
    ("statefulset", "StatefulSet"),
    ("daemonset", "DaemonSet"),
    ("job_name", "Job"),
    ("horizontalpodautoscaler", "HorizontalPodAutoscaler"),
)
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", re.IGNORECASE)
_ZERO_YEAR = 1  # Alertmanager's "no end time": 0001-01-01T00:00:00Z


class PayloadError(InputError):
    """A field of the payload is missing or malformed; `where` is its path (`("alerts", 2, "startsAt")`)."""

    def __init__(self, where: tuple[str | int, ...], reason: str) -> None:
        super().__init__(f"{field_path(where)}: {reason}")
        self.where = where
        self.reason = reason


def field_path(where: tuple[str | int, ...]) -> str:
    """`alerts[2].startsAt` for `("alerts", 2, "startsAt")`."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "body"


@dataclass(frozen=True)
class Alert:
    """One alert of a notification, and the subjects its labels name."""

    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    generator_url: str
    subjects: tuple[Subject, ...]
    notes: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")


@dataclass(frozen=True)
class Notification:
    """One webhook call: the state of one Alertmanager group (`group_key`) and its alerts."""

    receiver: str
    status: str
    group_key: str
    group_labels: dict[str, str]
    common_labels: dict[str, str]
    common_annotations: dict[str, str]
    external_url: str
    alerts: tuple[Alert, ...]
    truncated_alerts: int

    @property
    def alert_name(self) -> str:
        """The alert's name: the group's, else the common one, else the first alert's."""
        for labels in (self.group_labels, self.common_labels, self.alerts[0].labels):
            if labels.get("alertname"):
                return labels["alertname"]
        return ""

    @property
    def first_start(self) -> datetime:
        return min(a.starts_at for a in self.alerts)


def parse_notification(document: object) -> Notification:
    """The notification a webhook body holds, or a `PayloadError` naming the first field that is wrong."""
    body = _mapping(document, ())
    version = body.get("version")
    if version != VERSION:
        raise PayloadError(("version",), f"expected {VERSION!r} (Alertmanager's webhook), got {version!r}")
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise PayloadError(("alerts",), "expected a non-empty list of alerts")
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(("alerts",), f"{len(alerts)} alerts: at most {MAX_ALERTS} per notification")
    truncated = body.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise PayloadError(("truncatedAlerts",), "expected a whole number")
    return Notification(
        receiver=_text(body, "receiver", ()),
        status=_status(body, ()),
        group_key=_text(body, "groupKey", (), required=True),
        group_labels=_labels(body, "groupLabels", ()),
        common_labels=_labels(body, "commonLabels", ()),
        common_annotations=_labels(body, "commonAnnotations", ()),
        external_url=_text(body, "externalURL", ()),
        alerts=tuple(_alert(alert, ("alerts", i)) for i, alert in enumerate(alerts)),
        truncated_alerts=truncated,
    )


def _alert(document: object, where: tuple) -> Alert:
    body = _mapping(document, where)
    labels = _labels(body, "labels", where)
    subjects, notes = label_subjects(labels)
    fingerprint = _text(body, "fingerprint", where, required=True)
    if not re.fullmatch(r"[0-9A-Za-z]{1,64}", fingerprint):
        raise PayloadError((*where, "fingerprint"), "expected up to 64 letters and digits")
    return Alert(
        status=_status(body, where),
        labels=labels,
        annotations=_labels(body, "annotations", where),
        starts_at=_time(body, "startsAt", where, required=True),
        ends_at=_time(body, "endsAt", where),
        fingerprint=fingerprint,
        generator_url=_text(body, "generatorURL", where),
        subjects=subjects,
        notes=notes,
    )


def label_subjects(labels: dict[str, str]) -> tuple[tuple[Subject, ...], tuple[str, ...]]:
    """The subjects an alert's labels name, and a note for each label left out (or for none at all)."""
    subjects: list[Subject] = []
    notes: list[str] = []
    namespace = _name(labels, "namespace", dns_label, notes)
    for label, kind in OBJECT_LABELS:
        # kube-prometheus adds the scrape target's `service` (kube-state-metrics) to every series it
        # scrapes: when it equals `job`, it names the exporter, not the subject.
        if label == "service" and labels.get("service") == labels.get("job"):
            continue
        name = _name(labels, label, dns_label if label == "service" else dns_subdomain, notes)
        if name and namespace:
            subjects.append(Subject(kind, namespace, name))
        elif name:
            notes.append(f"label {label}={name} has no namespace label: left out")
    node = _name(labels, "node", dns_subdomain, notes)
    if node:
        subjects.append(Subject("Node", "", node))
    if namespace and not any(s.namespace == namespace for s in subjects):
        subjects.append(Subject(NAMESPACE, namespace, namespace))
    if not subjects:
        notes.append("no subject labels (namespace, pod, service, deployment, node…): nothing to diagnose")
    return tuple(subjects), tuple(notes)


def _name(labels: dict[str, str], label: str, check, notes: list[str]) -> str:
    value = labels.get(label, "")
    if not value:
        return ""
    try:
        return check(value, label)
    except InputError as exc:
        notes.append(f"label {label}: {exc}: left out")
        return ""


def _mapping(value: object, where: tuple) -> dict:
    if not isinstance(value, dict):
        raise PayloadError(where, "expected a JSON object")
    return value


def _text(body: dict, key: str, where: tuple, required: bool = False) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise PayloadError((*where, key), "expected a string")
    if required and not value:
        raise PayloadError((*where, key), "required")
    return value


def _status(body: dict, where: tuple) -> str:
    value = body.get("status")
    if value not in STATUSES:
        raise PayloadError((*where, "status"), f"expected one of {', '.join(STATUSES)}, got {value!r}")
    return value


def _labels(body: dict, key: str, where: tuple) -> dict[str, str]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise PayloadError((*where, key), "expected an object of strings")
    for name, text in value.items():
        if not isinstance(text, str):
            raise PayloadError((*where, key, name), "expected a string")
    return dict(value)


def _time(body: dict, key: str, where: tuple, required: bool = False) -> datetime | None:
    value = body.get(key, "")
    if not value and not required:
        return None
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise PayloadError((*where, key), "not an RFC 3339 time")
    try:
        parsed = parse_time(value)
    except ValueError:
        raise PayloadError((*where, key), "not an RFC 3339 time") from None
    return None if parsed.year == _ZERO_YEAR and not required else parsed
