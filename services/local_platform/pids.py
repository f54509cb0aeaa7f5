"""The processes the platform started, recorded with what identifies them, so `down` stops only those.

A pid alone is not enough: after a reboot or a long time the number may belong to another process. A
start time is not enough either: psutil derives it from the wall clock, so a clock step (NTP, a
suspended laptop) changes it and the platform's own processes would look like strangers. Each process
therefore carries a token in its environment, chosen when `up` ran; a process is ours when its pid,
command line and token all match its record.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

STOP_TIMEOUT_S = 5.0
TOKEN_VARIABLE = "INCIDENT_LAB_PLATFORM_TOKEN"


@dataclass(frozen=True)
class Record:
    name: str
    pid: int
    token: str
    cmdline: list[str]
    started: float  # seconds since the epoch, for people to read: it moves when the clock steps


def new_token() -> str:
    """A token for the processes of one `up`, passed to them in TOKEN_VARIABLE."""
    return secrets.token_hex(8)


def record(process: subprocess.Popen, name: str, command: list[str], token: str) -> Record:
    """What identifies a process we just started with `command` and `token` in its environment.

    The command is the one we passed, not read back: right after exec, /proc may still show an empty
    command line.
    """
    return Record(name, process.pid, token, list(command), psutil.Process(process.pid).create_time())


def save(path: Path, records: list[Record]) -> None:
    """Write the records atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps([asdict(r) for r in records], indent=1) + "\n")
    os.replace(partial, path)


def load(path: Path) -> list[Record]:
    """The records of `path`, or [] when nothing was started."""
    if not path.exists():
        return []
    return [Record(**r) for r in json.loads(path.read_text())]


def ours(entry: Record) -> psutil.Process | None:
    """The running process of `entry`, or None when it has exited or the pid now belongs to another."""
    try:
        process = psutil.Process(entry.pid)
        if process.status() == psutil.STATUS_ZOMBIE or process.cmdline() != entry.cmdline:
            return None
        if process.environ().get(TOKEN_VARIABLE) != entry.token:
            return None
        return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def stop(records: list[Record]) -> tuple[list[str], list[Record]]:
    """Terminate the recorded processes that are still ours (kill those that do not stop).

    Returns what happened, one line per record, and the records of processes still alive afterwards.
    """
    said, running = [], []
    for entry in records:
        process = ours(entry)
        if process is None:
            said.append(f"{entry.name} (pid {entry.pid}): not running, or the pid is no longer ours")
            continue
        process.terminate()
        running.append((entry, process))
    _, alive = psutil.wait_procs([p for _, p in running], timeout=STOP_TIMEOUT_S)
    for process in alive:
        process.kill()
    _, survivors = psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)
    left = []
    for entry, process in running:
        if process in survivors:
            said.append(f"{entry.name} (pid {entry.pid}): still running after SIGKILL; kept in the record")
            left.append(entry)
        else:
            said.append(f"{entry.name} (pid {entry.pid}): {'killed' if process in alive else 'stopped'}")
    return said, left
