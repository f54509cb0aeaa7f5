"""`make platform` / `make platform-down` bookkeeping with real processes: what `up` records is what
`down` stops, whatever the clock did in between, and nothing alive is ever forgotten. And the alerting
configuration `up` writes, checked by Prometheus's and Alertmanager's own tools."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from services.local_platform import pids
from services.local_platform.__main__ import ALERT_RULE_VALUES, Platform, _free, main
from services.local_platform.alerting import alertmanager_config, chart_rules
from services.local_platform.cluster import platform_objects
from services.local_platform.prometheus_config import scrape_config

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")


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


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not found (Debian package `prometheus`)")
def test_prometheus_evaluates_the_chart_s_four_alerts_and_sends_them_to_alertmanager(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(chart_rules(ALERT_RULE_VALUES))
    config = tmp_path / "prometheus.yml"
    targets = {"payments-service": "127.0.0.1:8084"}
    config.write_text(scrape_config(targets, rule_files=[str(rules)], alertmanager="127.0.0.1:9093"))
    checked = run(PROMTOOL, "check", "config", config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 4 rules found" in checked.stdout
    assert json.loads(config.read_text())["alerting"]["alertmanagers"][0]["static_configs"] == [
        {"targets": ["127.0.0.1:9093"]}
    ]
    latency = [r for g in json.loads(rules.read_text())["groups"] for r in g["rules"]
               if r["alert"] == "ServiceHighLatencyP99"]  # fmt: skip
    assert latency[0]["for"] == "1m"


@pytest.mark.skipif(AMTOOL is None, reason="amtool not found (Debian package `prometheus-alertmanager`)")
def test_alertmanager_sends_every_group_to_the_diagnostics_api_with_resolutions(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(alertmanager_config("http://127.0.0.1:8000/alerts", "5s", "30s"))
    checked = run(AMTOOL, "check-config", config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    routed = run(AMTOOL, "config", "routes", "test", f"--config.file={config}", "alertname=Anything")
    assert routed.stdout.strip() == "incident-lab"
    [receiver] = json.loads(config.read_text())["receivers"]
    assert receiver["webhook_configs"] == [{"url": "http://127.0.0.1:8000/alerts", "send_resolved": True}]


def test_the_platform_s_services_are_served_with_their_local_endpoints() -> None:
    objects = platform_objects({"payments-service": 8084, "backend-api": 8081})
    endpoints = {o["metadata"]["name"]: o["subsets"][0] for o in objects if o["kind"] == "Endpoints"}
    assert endpoints["payments-service"] == {
        "addresses": [{"ip": "127.0.0.1"}],
        "ports": [{"name": "http", "port": 8084}],
    }
    assert {(o["kind"], o["metadata"]["namespace"]) for o in objects} == {
        ("Service", "apps"),
        ("Endpoints", "apps"),
    }
