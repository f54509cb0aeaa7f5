"""`make platform` / `make platform-down` bookkeeping with real processes: what `up` records is what
`down` stops, whatever the clock did in between, and nothing alive is ever forgotten."""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path

import psutil
import pytest

from services.local_platform import pids
from services.local_platform.__main__ import Platform, _free, main

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


@pytest.fixture
def started(tmp_path: Path):
    """Two recorded processes in a state folder, as `up` leaves them; killed after the test if still up."""
    platform = Platform(tmp_path)
    platform.start("first", SLEEPER, {})
    platform.start("second", SLEEPER, {})
    _wait_until_exec_done(platform.records)
    yield platform
    for process in platform.processes.values():
        process.kill()
        process.wait()


def _wait_until_exec_done(records: list[pids.Record]) -> None:
    """Right after fork, /proc shows the parent's command line; `up` waits for /health, tests for this."""
    deadline = time.monotonic() + 10
    while not all(pids.ours(r) for r in records) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_down_stops_everything_even_when_the_clock_stepped(started: Platform, capsys) -> None:
    records = json.loads(started.pidfile.read_text())
    for entry in records:  # what a 2 s clock step does to the start times psutil reports
        entry["started"] += 2.0
    started.pidfile.write_text(json.dumps(records))

    assert main(["down", "--state", str(started.state)]) == 0

    assert all(p.poll() is not None for p in started.processes.values())
    assert "first (pid" in capsys.readouterr().out
    assert not started.pidfile.exists()


def test_down_twice_is_a_no_op(started: Platform, capsys) -> None:
    assert main(["down", "--state", str(started.state)]) == 0
    capsys.readouterr()

    assert main(["down", "--state", str(started.state)]) == 0
    assert "nothing to stop" in capsys.readouterr().out


def test_up_says_already_running_and_starts_nothing(started: Platform, capsys) -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}

    assert main(["up", "--state", str(started.state)]) == 0

    assert "already running: first" in capsys.readouterr().out
    assert {p.pid for p in psutil.Process().children(recursive=True)} == before
    assert len(pids.load(started.pidfile)) == 2


def test_a_pid_that_now_runs_something_else_is_left_alone(started: Platform, capsys) -> None:
    records = json.loads(started.pidfile.read_text())
    records[0]["token"] = "another-run"  # the same pid and command, started by someone else
    started.pidfile.write_text(json.dumps(records))

    assert main(["down", "--state", str(started.state)]) == 0

    first, second = started.processes.values()
    assert first.poll() is None
    assert second.poll() is not None
    assert "first (pid" in capsys.readouterr().out


def test_status_names_what_runs(started: Platform, capsys) -> None:
    assert main(["status", "--state", str(started.state)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in lines] == ["first", "second"]
    assert all("running since" in line for line in lines)


def test_a_port_left_in_time_wait_is_free_and_a_listening_one_is_not() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not _free(port)
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first: its end of the connection waits in TIME-WAIT
        client.recv(1)
        client.close()
    assert _free(port)
