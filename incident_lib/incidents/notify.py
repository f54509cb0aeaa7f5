"""Telling people: one message per new incident and per resolution, through apprise.

apprise speaks Slack, Microsoft Teams, email, generic JSON webhooks (`json://host:port/path`) and many
more, one URL each. The URLs come from the environment only (`INCIDENT_NOTIFY_URLS`, separated by
spaces or commas; in the chart, from a Secret), never the command line, and are never written anywhere:
a delivery is recorded as the URL's scheme and position (`json #1`). A delivery that fails is tried
again a bounded number of times; its failure is recorded in the incident, which is kept either way.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from incident_lib.k8s.objects import format_time

EVENTS = {"opened": "FIRING", "resolved": "RESOLVED"}


@dataclass(frozen=True)
class Notifier:
    """Where messages go, and how hard to try: `attempts` per URL, `pause_s` doubling between them."""

    urls: tuple[str, ...] = ()
    attempts: int = 3
    pause_s: float = 2.0

    def send(self, record: dict, event: str, link: str) -> list[dict]:
        """Deliver the message about `record`'s `event` to every URL; one result per URL."""
        title, body = message(record, event, link)
        return [self._deliver(url, f"{_scheme(url)} #{n}", event, title, body) for n, url in
                enumerate(self.urls, 1)]  # fmt: skip

    def _deliver(self, url: str, target: str, event: str, title: str, body: str) -> dict:
        import apprise

        service = apprise.Apprise()
        result = {"event": event, "target": target, "delivered": False, "attempts": 0, "error": None}
        if not service.add(url):
            return result | {"error": "not a notification URL apprise knows"}
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                time.sleep(self.pause_s * 2 ** (attempt - 2))
            result["attempts"] = attempt
            if service.notify(body=body, title=title):
                return result | {"delivered": True, "at": format_time(datetime.now(UTC))}
        return result | {"error": f"not delivered after {self.attempts} attempts"}


def notify_urls(text: str) -> tuple[str, ...]:
    """The URLs of `INCIDENT_NOTIFY_URLS`: separated by spaces or commas."""
    return tuple(u for u in re.split(r"[\s,]+", text) if u)


def message(record: dict, event: str, link: str) -> tuple[str, str]:
    """The title and body of the message about `record`: root cause, confidence, severity, subject,
    the top evidence lines and the link to the report."""
    subject = record["subject"]
    where = (
        f"{subject['kind']} {'/'.join(p for p in (subject['namespace'], subject['name']) if p)}"
        if (subject)
        else ", ".join(record["namespaces"]) or "no subject named by the alert"
    )
    cause = record["root_cause"] or "not diagnosed"
    title = f"[{EVENTS[event]}] {record['alert']}: {cause} ({where})"
    lines = [
        f"Alert {record['alert']} fired at {record['started_at']} ({len(record['alerts'])} alert(s))."
        if event == "opened"
        else f"Alert {record['alert']} resolved at {record['resolved_at'] or 'an unknown time'}.",
        f"Subject: {where}",
        f"Root cause: {cause}",
    ]
    if record["root_cause"]:
        lines[-1] += f" (confidence {record['confidence']:.2f}, severity {record['severity']})"
    if record["summary"]:
        lines.append(record["summary"])
    lines += [f"- {line}" for line in record["top_evidence"]]
    if record["missing_evidence"]:
        lines.append(f"Missing evidence: {len(record['missing_evidence'])} item(s), see the report.")
    lines.append(f"Report: {link}")
    return title, "\n".join(lines)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else "?"
