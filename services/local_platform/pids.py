"""The processes the platform started, recorded with what identifies them, so `down` stops only those.

A pid alone is not enough: after a reboot or a long time the number may belong to another process.
Each record keeps the process's start time and command line; a pid whose start time or command line
differs is left alone (and reported).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Record:
    name: str
    pid: int
    started: float  # psutil's create_time(): seconds since the epoch
    cmdline: list[str]


def record(process: subprocess.Popen, name: str, command: list[str]) -> Record:
    """What identifies a process we just started with `command`.

    The command is the one we passed, not read back: right after exec, /proc may still show an empty
    command line.
    """
    return Record(name, process.pid, psutil.Process(process.pid).create_time(), list(command))


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
        if abs(process.create_time() - entry.started) > 0.5 or process.cmdline() != entry.cmdline:
            return None
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def stop(records: list[Record]) -> list[str]:
    """Terminate the recorded processes that are still ours (kill those that do not stop); say what."""
    said, running = [], []
    for entry in records:
        process = ours(entry)
        if process is None:
            said.append(
                f"{entry.name} (pid {entry.pid}): not running, or the pid is no longer ours; left alone"
            )
            continue
        process.terminate()
        running.append((entry, process))
    _, alive = psutil.wait_procs([p for _, p in running], timeout=STOP_TIMEOUT_S)
    for process in alive:
        process.kill()
    psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)
    for entry, process in running:
        how = "killed" if process in alive else "stopped"
        said.append(f"{entry.name} (pid {entry.pid}): {how}")
    return said
