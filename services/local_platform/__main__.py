"""`python -m services.local_platform up|down|status [--state .platform]`: the platform on loopback.

`up` starts the four services, the diagnostics API (the shipped incident incidents/oom-drill unless
INCIDENT_SOURCE=live or INCIDENT_BUNDLE say otherwise), Debian's Prometheus scraping the services,
and a bounded load generator; it waits until each answers and records every process in STATE/pids.
`down` stops exactly the recorded processes that are still ours. Exit codes: 0 ok, 1 failed, 2 usage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from services.local_platform import pids
from services.local_platform.prometheus_config import scrape_config

ROOT = Path(__file__).resolve().parents[2]
LEAVES = ("users-service", "orders-service", "payments-service")
SERVICES = ("backend-api", *LEAVES)
PORTS = {
    "backend-api": 8081,
    "users-service": 8082,
    "orders-service": 8083,
    "payments-service": 8084,
    "diagnostics": 8000,
    "prometheus": 9090,
}
START_TIMEOUT_S = 30.0


class PlatformError(Exception):
    """Something the user can act on, in one line."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="local_platform", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--state", default=str(ROOT / ".platform"), help="state folder (pids, logs, config)")
    parser.add_argument("--port", action="append", default=[], metavar="NAME=PORT", help="override a port")
    parser.add_argument(
        "--env", action="append", default=[], metavar="SERVICE:VAR=VALUE",
        help="a knob for one service, e.g. payments-service:FAULT_LATENCY_MS=1500",
    )  # fmt: skip
    parser.add_argument("--scrape-interval", default="5s")
    parser.add_argument("--load-requests", type=int, default=600, help="requests to backend-api (0: none)")
    parser.add_argument("--load-rate", type=float, default=5.0, help="per second")
    args = parser.parse_args(argv)
    try:
        args.ports = {**PORTS, **_pairs(args.port, "=", PORTS, int)}
        args.knobs = _knobs(args.env)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _pairs(items: list[str], sep: str, known, convert=str) -> dict:
    pairs = {}
    for item in items:
        name, _, value = item.partition(sep)
        if name not in known or not value:
            raise ValueError(f"{item!r}: expected NAME{sep}VALUE with NAME one of {', '.join(known)}")
        pairs[name] = convert(value)
    return pairs


def _knobs(items: list[str]) -> dict[str, dict[str, str]]:
    knobs: dict[str, dict[str, str]] = {}
    for item in items:
        service, _, assignment = item.partition(":")
        var, _, value = assignment.partition("=")
        if service not in SERVICES or not var:
            raise ValueError(
                f"--env {item!r}: expected SERVICE:VAR=VALUE with SERVICE one of {', '.join(SERVICES)}"
            )
        knobs.setdefault(service, {})[var] = value
    return knobs


class Platform:
    """Starts processes in the state folder, recording each one as soon as it runs."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.pidfile = state / "pids"
        self.logs = state / "logs"
        self.records: list[pids.Record] = []
        self.processes: dict[str, subprocess.Popen] = {}
        self.token = pids.new_token()

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path = ROOT) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env={**os.environ, **env, pids.TOKEN_VARIABLE: self.token},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # outlives `make`, and Ctrl-C in the shell does not reach it
            )
        self.processes[name] = process
        self.records.append(pids.record(process, name, command, self.token))
        pids.save(self.pidfile, self.records)

    def wait(self, name: str, url: str) -> None:
        """Return once `url` answers 200; PlatformError with the log's tail when it does not."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                break
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        tail = (self.logs / f"{name}.log").read_text(errors="replace").strip().splitlines()[-5:]
        raise PlatformError(f"{name} did not answer {url}: " + " | ".join(tail))


def up(args: argparse.Namespace) -> list[str]:
    state = Path(args.state)
    running = [r for r in pids.load(state / "pids") if pids.ours(r)]
    if running:
        names = ", ".join(f"{r.name} ({r.pid})" for r in running)
        return [f"already running: {names}; stop it with `make platform-down`"]
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        raise PlatformError("no `prometheus` on PATH: install Debian's prometheus package (.ci/run does)")
    for name, port in args.ports.items():
        if not _free(port):
            raise PlatformError(
                f"port {port} for {name} is taken on 127.0.0.1; choose another: --port {name}=N"
            )
    platform = Platform(state)
    url = {name: f"http://127.0.0.1:{port}" for name, port in args.ports.items()}
    try:
        python, services_path = sys.executable, {"PYTHONPATH": str(ROOT / "services")}
        for name in (*LEAVES, "backend-api"):
            env = {**services_path, **args.knobs.get(name, {})}
            if name == "backend-api":
                env |= {"USERS_URL": url["users-service"], "ORDERS_URL": url["orders-service"],
                        "PAYMENTS_URL": url["payments-service"]}  # fmt: skip
            command = [python, "-m", "platform_services", "--service", name, "--host", "127.0.0.1",
                       "--port", str(args.ports[name])]  # fmt: skip
            platform.start(name, command, env)
        for name in SERVICES:
            platform.wait(name, f"{url[name]}/health")

        config = state / "prometheus" / "prometheus.yml"
        config.parent.mkdir(parents=True, exist_ok=True)
        targets = {name: f"127.0.0.1:{args.ports[name]}" for name in SERVICES}
        config.write_text(scrape_config(targets, args.scrape_interval))
        platform.start(
            "prometheus",
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={state / 'prometheus' / 'data'}",
             "--storage.tsdb.retention.time=2d",
             f"--web.listen-address=127.0.0.1:{args.ports['prometheus']}"],
            {},
        )  # fmt: skip
        platform.wait("prometheus", f"{url['prometheus']}/-/ready")

        platform.start(
            "diagnostics",
            [python, "-m", "services.diagnostics"],
            {
                "HOST": "127.0.0.1",
                "PORT": str(args.ports["diagnostics"]),
                **_diagnostics_source(url["prometheus"]),
            },
        )
        platform.wait("diagnostics", f"{url['diagnostics']}/health")

        if args.load_requests > 0:
            platform.start(
                "loadgen",
                [python, "-m", "services.local_platform.loadgen",
                 "--url", f"{url['backend-api']}/api/summary",
                 "--requests", str(args.load_requests), "--rate", str(args.load_rate)],
                {},
            )  # fmt: skip
    except BaseException:
        _, left = pids.stop(platform.records)
        pids.save(platform.pidfile, left)
        raise
    minutes = args.load_requests / args.load_rate / 60 if args.load_requests else 0
    source = _diagnostics_source(url["prometheus"]).get("INCIDENT_BUNDLE", "live cluster")
    every = f"every {args.scrape_interval}, namespace=apps"
    return [
        f"backend-api       {url['backend-api']}/api/summary  (users, orders, payments on "
        f"{', '.join(str(args.ports[n]) for n in LEAVES)})",
        f"diagnostics API   {url['diagnostics']}/docs  ({source})",
        f"prometheus        {url['prometheus']}  (scrapes the four services {every})",
        f"load generator    {args.load_requests} requests, {args.load_rate:g}/s (~{minutes:.1f} min)",
        f"state and logs    {state}/ ; stop everything with: make platform-down",
    ]


def _diagnostics_source(prometheus_url: str) -> dict[str, str]:
    """The diagnostics API's source: the caller's INCIDENT_* settings, else the shipped OOM drill."""
    if os.environ.get("INCIDENT_SOURCE", "").lower() == "live":
        return {"INCIDENT_SOURCE": "live", "PROMETHEUS_URL": os.environ.get("PROMETHEUS_URL", prometheus_url)}
    return {"INCIDENT_BUNDLE": os.environ.get("INCIDENT_BUNDLE", str(ROOT / "incidents" / "oom-drill"))}


def _free(port: int) -> bool:
    """Whether a server could listen on `port` now (a socket in TIME-WAIT from a past run does not count,
    as the servers themselves set SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def down(args: argparse.Namespace) -> list[str]:
    pidfile = Path(args.state) / "pids"
    records = pids.load(pidfile)
    if not records:
        return [f"nothing recorded in {pidfile}: nothing to stop"]
    said, left = pids.stop(records)
    if left:  # never forget a process that is still alive
        pids.save(pidfile, left)
        raise PlatformError("; ".join(said))
    pidfile.unlink()
    return said


def status(args: argparse.Namespace) -> list[str]:
    records = pids.load(Path(args.state) / "pids")
    return [_status_line(r) for r in records] or ["nothing recorded"]


def _status_line(entry: pids.Record) -> str:
    if not pids.ours(entry):
        return f"{entry.name} (pid {entry.pid}): not running"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.started))
    return f"{entry.name} (pid {entry.pid}): running since {since}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        lines = {"up": up, "down": down, "status": status}[args.command](args)
    except PlatformError as exc:
        print(f"platform: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
