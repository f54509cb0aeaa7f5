"""What one Alertmanager notification sets off, written into the incident store.

A group seen for the first time opens an incident: the alerts' namespaces are captured (the same code
path as `incident-lab capture`, redaction included) with metrics from the first `startsAt` minus the
lookback to now; the capture's subjects and namespaces are diagnosed (`diagnose_all`) and the record
written; the `diagnose` and `postmortem` notebooks run on the bundle (papermill, as `incident-lab run`
does); people are told. A Kubernetes API or a Prometheus that does not answer, or a notebook that
fails, is missing evidence: the incident is written all the same.

A notification of a group already open updates its incident (new alerts, the resolution, told once).
Notifications of one group must be handled one at a time (the diagnostics API's queue does so).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_lib.incidents.alerts import Notification
from incident_lib.incidents.notify import Notifier
from incident_lib.incidents.record import is_same_incident, merged, new_record, with_diagnosis
from incident_lib.incidents.store import RECORD, IncidentStore
from incident_lib.k8s.objects import format_time, parse_time
from incident_lib.snapshot import Snapshot

NOTEBOOKS = ("diagnose", "postmortem")
MIN_WINDOW = timedelta(minutes=1)  # when the alert starts "now" and the lookback is short


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Responder:
    """Where evidence comes from and goes to, and who is told."""

    store: IncidentStore
    notifier: Notifier = field(default_factory=Notifier)
    prometheus_url: str | None = None
    kube_context: str | None = None
    lookback: timedelta = timedelta(hours=1)
    timeout_s: float = 15.0
    base_url: str = ""  # where the store is served; links are to the store itself without one
    notebooks: Path | None = None  # the folder with diagnose.ipynb and postmortem.ipynb; the project's
    clock: Callable[[], datetime] = _utc_now

    def link(self, record: dict) -> str:
        """Where a reader opens the incident: its postmortem report when there is one."""
        report = next((p for p in record["reports"] if p.endswith("postmortem.html")), RECORD)
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/{record['id']}/{report}"
        return self.store.location(record["id"], report)


def respond(notification: Notification, responder: Responder) -> dict:
    """Record what `notification` says in the store; return the incident's record."""
    current = responder.store.latest_of_group(notification.group_key)
    if current is not None and is_same_incident(current, notification):
        return _update(current, notification, responder)
    return _open(notification, responder)


def _update(current: dict, notification: Notification, responder: Responder) -> dict:
    record = merged(current, notification)
    if record == current:
        return current  # a repeat or a retry: nothing to write
    responder.store.save(record)
    if current["status"] == "firing" and record["status"] == "resolved":
        record = _told(record, "resolved", responder)
    return record


def _open(notification: Notification, responder: Responder) -> dict:
    store, now = responder.store, responder.clock()
    record = new_record(notification, now)
    with tempfile.TemporaryDirectory(prefix="incident-") as staging:
        evidence, reports = Path(staging) / "evidence", Path(staging) / "reports"
        snapshot, missing = _capture(record, responder, now, evidence / "bundle")
        if snapshot is not None:
            record = with_diagnosis(record, _diagnoses(snapshot), responder.clock()) | {"bundle": "bundle"}
            store.put_files(record["id"], evidence)
        record["missing_evidence"] = missing
        store.save(record)  # the diagnosis is recorded before the notebooks run
        if snapshot is not None:
            missing = missing + _run_notebooks(record, evidence / "bundle", reports, responder)
            record = record | {"reports": store.put_files(record["id"], reports), "missing_evidence": missing}
            store.save(record)
    return _told(record, "opened", responder)


def _capture(record: dict, responder: Responder, now: datetime, target: Path) -> tuple[Snapshot | None, list]:
    """The live snapshot of the alerts' namespaces (every namespace for an alert about nodes only),
    written as a bundle at `target`; None and why, when there is nothing to capture or it failed."""
    from incident_lib.capture import write_bundle
    from incident_lib.sources.open import live_snapshot

    if not record["subjects"]:
        return None, ["capture: the alerts name no namespace, workload or node: nothing captured"]
    start = min(parse_time(record["started_at"]) - responder.lookback, now - MIN_WINDOW)
    try:
        snapshot = live_snapshot(
            record["namespaces"],
            responder.prometheus_url,
            f"{format_time(start)}/{format_time(now)}",
            context=responder.kube_context,
            timeout=responder.timeout_s,
        )
        write_bundle(snapshot, target)
    except Exception as exc:  # the cluster or a write failed: the incident is still recorded
        return None, [f"capture: {_one_line(exc)}"]
    return snapshot, [f"capture: {line}" for line in snapshot.manifest.get("missing") or []]


def _diagnoses(snapshot: Snapshot) -> list:
    from incident_lib.diagnose import diagnose_all

    return diagnose_all(snapshot)


def _run_notebooks(record: dict, bundle: Path, root: Path, responder: Responder) -> list[str]:
    """Run the notebooks on the bundle into `root`; what could not be run or failed, one line each."""
    from incident_lib.demo import project_root
    from incident_lib.errors import InputError
    from incident_lib.runner import NotebookFailed, run_notebook

    missing = []
    incident = root.parent / "incident.json"  # the record so far: the postmortem's Detection reads it
    incident.write_text(json.dumps(record), encoding="utf-8")
    runs = {"postmortem": {"source": str(bundle), "incident": str(incident)}}
    pod = _top_pod(record)
    if pod is None:
        missing.append("diagnose notebook: no pod among the alerts' subjects or the findings")
    else:
        runs = {"diagnose": {"source": str(bundle), "namespace": pod[0], "pod": pod[1]}} | runs
    try:
        folder = responder.notebooks or project_root() / "notebooks"
    except InputError as exc:
        return [*missing, f"notebooks: {exc}"]
    for name, parameters in runs.items():
        try:
            run_notebook(folder / f"{name}.ipynb", parameters, root, name)
        except NotebookFailed as exc:
            missing.append(f"{name} notebook: {exc} (kept as {exc.path.relative_to(root).as_posix()})")
        except InputError as exc:
            missing.append(f"{name} notebook: {exc}")
    return missing


def _top_pod(record: dict) -> tuple[str, str] | None:
    """The pod the diagnose notebook explains: the root cause's subject, else the first pod diagnosed."""
    subjects = [record["subject"]] if record["subject"] else []
    subjects += [d["subject"] for d in record["diagnoses"]]
    return next(((s["namespace"], s["name"]) for s in subjects if s["kind"] == "Pod"), None)


def _told(record: dict, event: str, responder: Responder) -> dict:
    """`record` with the results of telling people about `event`, saved."""
    if not responder.notifier.urls:
        return record
    results = responder.notifier.send(record, event, responder.link(record))
    record = record | {"notifications": record["notifications"] + results}
    responder.store.save(record)
    return record


def _one_line(exc: Exception) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
