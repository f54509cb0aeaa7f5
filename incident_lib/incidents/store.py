"""The incident store: one folder per incident, and an `index.html` listing them, through fsspec.

```
<store>/index.html                       every incident, newest first, with links (readable offline)
<store>/<id>/incident.json               the record (record.py)
<store>/<id>/bundle/…                    the capture (incident-bundle/v1)
<store>/<id>/diagnose/<UTC time>/…       the executed notebooks, their HTML reports, findings.json,
<store>/<id>/postmortem/<UTC time>/…     postmortem.md and its figures
```

The store is a local folder (`INCIDENT_STORE`, else `$XDG_DATA_HOME/incident-lab/incidents`) or any
fsspec URL, such as `s3://bucket/prefix` (s3fs; the bucket must exist; an S3-compatible endpoint and
the credentials come from the usual AWS variables, `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`…).
`incident.json` is written under a temporary name and moved into place, after the files it names,
so a folder never holds a half-written record nor a record naming files that are not there; a folder
without `incident.json` is an incident whose first write did not finish.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from incident_lib.errors import InputError
from incident_lib.incidents.record import group_hash
from incident_lib.names import not_found

# a user's data folder, not the working directory: an API started from a checkout writes no store into it
DEFAULT_STORE = str(
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "incident-lab" / "incidents"
)
RECORD = "incident.json"
INDEX = "index.html"
ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{10}$")
EXAMPLE_ID = "20251217T100347Z-3f2a9c1b0d"
HEADERS = ("started", "alert", "namespaces", "root cause", "confidence", "severity", "status", "files")
STYLE = "body{font-family:sans-serif}table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:4px}"


class IncidentStore:
    """The incidents under one local folder or fsspec URL."""

    def __init__(self, url: str) -> None:
        import fsspec

        self.url = url.rstrip("/") or url
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self._index_lock = threading.Lock()  # workers write the index in turn: the last one lists all

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> IncidentStore:
        return cls(env.get("INCIDENT_STORE", "").strip() or DEFAULT_STORE)

    def write_problem(self) -> str:
        """Why the store cannot be written (one line), or "" when a file can be written and removed."""
        probe = self._path(f".write-check-{uuid.uuid4().hex}")
        try:
            self._folder(self.root)
            self.fs.pipe_file(probe, b"ok")
            self.fs.rm_file(probe)
        except Exception as exc:  # any failure means "not writable": say what it was
            return f"incident store {self.url} is not writable: {type(exc).__name__}: {exc}"
        return ""

    def location(self, incident_id: str, relative: str = "") -> str:
        """Where an incident's file is, as a user would open it (the store's URL, not fsspec's path)."""
        return "/".join(p for p in (self.url, incident_id, relative) if p)

    def incidents(self) -> list[dict]:
        """Every incident's record, newest first."""
        records = [self._load(path) for path in self.fs.glob(self._path("*", RECORD))]
        return sorted(
            (r for r in records if r is not None), key=lambda r: (r["started_at"], r["id"]), reverse=True
        )

    def latest_of_group(self, group_key: str) -> dict | None:
        """The newest incident of the Alertmanager group `group_key`, if there is one."""
        paths = self.fs.glob(self._path(f"*-{group_hash(group_key)}", RECORD))
        records = [r for r in map(self._load, paths) if r is not None and r["group_key"] == group_key]
        return max(records, key=lambda r: r["id"], default=None)

    def read(self, incident_id: str) -> dict:
        """The record of `incident_id`; a one-line error suggesting the closest ids when it does not exist."""
        if not ID.match(incident_id):
            raise InputError(f"invalid incident id {incident_id!r}: expected e.g. {EXAMPLE_ID}")
        path = self._path(incident_id, RECORD)
        if not self.fs.exists(path):
            raise not_found(f"incident in {self.url}", incident_id, [r["id"] for r in self.incidents()])
        return self._load(path)

    def put_files(self, incident_id: str, folder: Path) -> list[str]:
        """Copy every file under the local `folder` into the incident's folder; their relative paths."""
        copied = []
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = file.relative_to(folder).as_posix()
            target = self._path(incident_id, relative)
            self._folder(target.rsplit("/", 1)[0])
            self.fs.put_file(str(file), target)
            copied.append(relative)
        return copied

    def save(self, record: dict) -> None:
        """Write the record atomically, then the index."""
        folder = self._path(record["id"])
        self._folder(folder)
        self._replace(f"{folder}/{RECORD}", json.dumps(record, indent=2, sort_keys=True).encode() + b"\n")
        with self._index_lock:
            self._replace(self._path(INDEX), index_html(self.incidents()).encode())

    def _folder(self, path: str) -> None:
        """Make the folder `path` on a local disk; object stores have none to make (and s3fs would
        create a bucket that does not exist, hiding a mistyped name)."""
        if "file" in self.fs.protocol:
            self.fs.makedirs(path, exist_ok=True)

    def _replace(self, path: str, data: bytes) -> None:
        temporary = f"{path}.{uuid.uuid4().hex}.partial"
        self.fs.pipe_file(temporary, data)
        self.fs.mv(temporary, path)

    def _load(self, path: str) -> dict | None:
        if not ID.match(path.rsplit("/", 2)[-2]):
            return None  # not an incident's folder
        try:
            return json.loads(self.fs.cat_file(path))
        except ValueError as exc:
            raise InputError(f"{path}: not an incident record ({exc})") from None

    def _path(self, *parts: str) -> str:
        return "/".join((self.root.rstrip("/"), *parts))


def index_html(records: list[dict]) -> str:
    """The store's `index.html`: a table of the incidents, newest first, linking to each one's files."""
    rows = "\n".join(_row(r) for r in records) or '<tr><td colspan="8">no incidents yet</td></tr>'
    headers = "".join(f"<th>{h}</th>" for h in HEADERS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Incidents</title>
<style>{STYLE}</style>
</head><body>
<h1>Incidents</h1>
<table>
<tr>{headers}</tr>
{rows}
</table>
</body></html>
"""


def _row(record: dict) -> str:
    def link(relative: str, text: str) -> str:
        return f'<a href="{quote(record["id"])}/{quote(relative)}">{html.escape(text)}</a>'

    reports = [p for p in record["reports"] if p.endswith((".html", ".md"))]
    links = " ".join([link(RECORD, RECORD), *(link(p, p.rsplit("/", 1)[-1]) for p in reports)])
    cells = (
        record["started_at"],
        record["alert"],
        ", ".join(record["namespaces"]),
        record["root_cause"] or "not diagnosed",
        "" if record["confidence"] is None else f"{record['confidence']:.2f}",
        record["severity"] or "",
        record["status"] + (f" at {record['resolved_at']}" if record["resolved_at"] else ""),
    )
    return (
        f'<tr id="{html.escape(record["id"])}">'
        + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
        + f"<td>{links}</td></tr>"
    )
