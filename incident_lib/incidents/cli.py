"""`incident-lab incidents list` and `incident-lab incidents show ID`: the incident store, read.

`add_commands(subparsers)` adds them to the `incident-lab` parser; each sets `command`, a function of
the parsed arguments returning the exit code, as the other commands do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from incident_lib.incidents.store import DEFAULT_STORE, IncidentStore

COLUMNS = ("started", "alert", "namespace", "root cause", "confidence", "status", "id")


def add_commands(subparsers) -> None:
    """Add `incidents list` and `incidents show ID` to `subparsers` (argparse's add_subparsers())."""
    incidents = subparsers.add_parser("incidents", help="the incidents recorded from alerts")
    commands = incidents.add_subparsers(required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="every incident, newest first")
    _store_argument(listing)
    listing.set_defaults(command=list_incidents)
    show = commands.add_parser("show", help="one incident's record (incident.json)")
    show.add_argument("id", help="the incident's id, as `incidents list` shows it")
    _store_argument(show)
    show.set_defaults(command=show_incident)


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get("INCIDENT_STORE") or DEFAULT_STORE,
        help=f"a folder or an fsspec URL, s3://bucket/incidents ($INCIDENT_STORE, else {DEFAULT_STORE})",
    )


def list_incidents(args: argparse.Namespace) -> int:
    rows = [_row(record) for record in IncidentStore(args.store).incidents()]
    sys.stdout.write(table(rows) + "\n" if rows else f"no incidents in {args.store}\n")
    return 0


def show_incident(args: argparse.Namespace) -> int:
    record = IncidentStore(args.store).read(args.id)
    sys.stdout.write(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return 0


def _row(record: dict) -> tuple[str, ...]:
    confidence = record["confidence"]
    return (
        record["started_at"],
        record["alert"],
        ",".join(record["namespaces"]) or "-",
        record["root_cause"] or "-",
        "-" if confidence is None else f"{confidence:.2f}",
        record["status"],
        record["id"],
    )


def table(rows: list[tuple[str, ...]]) -> str:
    """The rows under COLUMNS, each column as wide as its widest cell."""
    widths = [max(len(cells[i]) for cells in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
                     for cells in [COLUMNS, *rows])  # fmt: skip
