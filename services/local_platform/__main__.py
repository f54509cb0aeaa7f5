"""`python -m services.local_platform up|down|status [--state .platform]`: the platform on loopback.

`up` starts the four services, the Kubernetes API double serving their Services (kube_api.py), the
diagnostics API (the shipped incident incidents/oom-drill for /ask unless INCIDENT_SOURCE=live or
INCIDENT_BUNDLE say otherwise; incidents from alerts into STATE/incidents), Debian's Prometheus
scraping the services and evaluating the chart's alert rules, Debian's Alertmanager sending every alert
group to the diagnostics API's /alerts, and a bounded load generator; it waits until each answers and
records every process in STATE/pids. `down` stops exactly the recorded processes that are still ours.
Exit codes: 0 ok, 1 failed, 2 usage.
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
from services.local_platform.alerting import alertmanager_config, chart_rules
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
    "alertmanager": 9093,
}
START_TIMEOUT_S = 30.0
# The chart's alerts hold 5 minutes before they fire; here 1, so an incident shows within minutes.
ALERT_RULE_VALUES = {"monitoring": {"prometheusRule": {"for": "1m"}}}


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

        def answers() -> bool:
            try:
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        self._wait_until(name, answers, f"did not answer {url}")

    def wait_for_file(self, name: str, path: Path) -> None:
        """Return once process `name` has written `path`; PlatformError with the log's tail when not."""
        self._wait_until(name, path.exists, f"did not write {path}")

    def _wait_until(self, name: str, ready, failure: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.processes[name].poll() is None:
            if ready():
                return
            time.sleep(0.1)
        tail = (self.logs / f"{name}.log").read_text(errors="replace").strip().splitlines()[-5:]
        raise PlatformError(f"{name} {failure}: " + " | ".join(tail))


def up(args: argparse.Namespace) -> list[str]:
    state = Path(args.state)
    running = [r for r in pids.load(state / "pids") if pids.ours(r)]
    if running:
        names = ", ".join(f"{r.name} ({r.pid})" for r in running)
        return [f"already running: {names}; stop it with `make platform-down`"]
    programs = {name: shutil.which(name) for name in ("prometheus", "prometheus-alertmanager")}
    for name, path in programs.items():
        if path is None:
            raise PlatformError(f"no `{name}` on PATH: install Debian's {name} package (.ci/run does)")
    for name, port in args.ports.items():
        if not _free(port):
            raise PlatformError(
                f"port {port} for {name} is taken on 127.0.0.1; choose another: --port {name}=N"
            )
    try:
        rules = chart_rules(ALERT_RULE_VALUES)
    except RuntimeError as exc:
        raise PlatformError(str(exc)) from None
    platform = Platform(state)
    url = {name: f"http://127.0.0.1:{port}" for name, port in args.ports.items()}
    try:
        _start_services(platform, args, url)
        kubeconfig = _start_kube_api(platform, args)
        platform.start(
            "diagnostics",
            [sys.executable, "-m", "services.diagnostics"],
            {
                "HOST": "127.0.0.1",
                "PORT": str(args.ports["diagnostics"]),
                "INCIDENT_STORE": str(state / "incidents"),
                **_diagnostics_source(url["prometheus"], kubeconfig),
            },
        )
        platform.wait("diagnostics", f"{url['diagnostics']}/health")
        _start_alertmanager(platform, programs["prometheus-alertmanager"], args, url)
        _start_prometheus(platform, programs["prometheus"], args, url, rules)
        if args.load_requests > 0:
            platform.start(
                "loadgen",
                [sys.executable, "-m", "services.local_platform.loadgen",
                 "--url", f"{url['backend-api']}/api/summary",
                 "--requests", str(args.load_requests), "--rate", str(args.load_rate)],
                {},
            )  # fmt: skip
    except BaseException:
        _, left = pids.stop(platform.records)
        pids.save(platform.pidfile, left)
        raise
    minutes = args.load_requests / args.load_rate / 60 if args.load_requests else 0
    source = _diagnostics_source(url["prometheus"], kubeconfig).get("INCIDENT_BUNDLE", "live cluster")
    every = f"every {args.scrape_interval}, namespace=apps"
    return [
        f"backend-api       {url['backend-api']}/api/summary  (users, orders, payments on "
        f"{', '.join(str(args.ports[n]) for n in LEAVES)})",
        f"diagnostics API   {url['diagnostics']}/docs  ({source})",
        f"prometheus        {url['prometheus']}  (scrapes the four services {every}; the chart's alerts)",
        f"alertmanager      {url['alertmanager']}  (every alert group to the diagnostics API's /alerts)",
        f"incidents         incident-lab incidents list --store {state / 'incidents'}",
        f"load generator    {args.load_requests} requests, {args.load_rate:g}/s (~{minutes:.1f} min)",
        f"state and logs    {state}/ ; stop everything with: make platform-down",
    ]


def _start_services(platform: Platform, args: argparse.Namespace, url: dict[str, str]) -> None:
    """The four services, with their knobs; backend-api wired to the three others."""
    for name in (*LEAVES, "backend-api"):
        env = {"PYTHONPATH": str(ROOT / "services"), **args.knobs.get(name, {})}
        if name == "backend-api":
            env |= {"USERS_URL": url["users-service"], "ORDERS_URL": url["orders-service"],
                    "PAYMENTS_URL": url["payments-service"]}  # fmt: skip
        command = [sys.executable, "-m", "platform_services", "--service", name, "--host", "127.0.0.1",
                   "--port", str(args.ports[name])]  # fmt: skip
        platform.start(name, command, env)
    for name in SERVICES:
        platform.wait(name, f"{url[name]}/health")


def _start_kube_api(platform: Platform, args: argparse.Namespace) -> Path:
    """The Kubernetes API double serving the services' objects; the kubeconfig that reaches it."""
    kubeconfig = platform.state / "kubeconfig"
    kubeconfig.unlink(missing_ok=True)  # a past run's: the double writes its own once it serves
    platform.start(
        "kube-api",
        [sys.executable, "-m", "services.local_platform.kube_api", f"--kubeconfig={kubeconfig}",
         *(f"--port={name}={args.ports[name]}" for name in SERVICES)],
        {},
    )  # fmt: skip
    platform.wait_for_file("kube-api", kubeconfig)
    return kubeconfig


def _start_alertmanager(
    platform: Platform, program: str, args: argparse.Namespace, url: dict[str, str]
) -> None:
    """Alertmanager sending every alert group to the diagnostics API's /alerts within seconds."""
    config = platform.state / "alertmanager" / "alertmanager.yml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        alertmanager_config(f"{url['diagnostics']}/alerts", group_wait="5s", group_interval="30s")
    )
    platform.start(
        "alertmanager",
        [program, f"--config.file={config}", f"--storage.path={config.parent / 'data'}",
         f"--web.listen-address=127.0.0.1:{args.ports['alertmanager']}",
         "--cluster.listen-address="],  # no gossip port: a single Alertmanager
        {},
    )  # fmt: skip
    platform.wait("alertmanager", f"{url['alertmanager']}/-/ready")


def _start_prometheus(
    platform: Platform, program: str, args: argparse.Namespace, url: dict[str, str], rules: str
) -> None:
    """Prometheus scraping the services, evaluating `rules` and sending what fires to Alertmanager."""
    folder = platform.state / "prometheus"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rules.yml").write_text(rules)
    targets = {name: f"127.0.0.1:{args.ports[name]}" for name in SERVICES}
    config = scrape_config(targets, args.scrape_interval, rule_files=[str(folder / "rules.yml")],
                           alertmanager=f"127.0.0.1:{args.ports['alertmanager']}")  # fmt: skip
    (folder / "prometheus.yml").write_text(config)
    platform.start(
        "prometheus",
        [program, f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'data'}",
         "--storage.tsdb.retention.time=2d", f"--web.listen-address=127.0.0.1:{args.ports['prometheus']}"],
        {},
    )  # fmt: skip
    platform.wait("prometheus", f"{url['prometheus']}/-/ready")


def _diagnostics_source(prometheus_url: str, kubeconfig: Path) -> dict[str, str]:
    """The diagnostics API's source: the caller's INCIDENT_SOURCE=live (their cluster, for /ask and the
    incidents' captures alike), else the caller's INCIDENT_BUNDLE or the shipped OOM drill for /ask, and
    the platform's Prometheus and Kubernetes API double for the incidents' captures."""
    if os.environ.get("INCIDENT_SOURCE", "").lower() == "live":
        return {"INCIDENT_SOURCE": "live", "PROMETHEUS_URL": os.environ.get("PROMETHEUS_URL", prometheus_url)}
    return {
        "INCIDENT_BUNDLE": os.environ.get("INCIDENT_BUNDLE", str(ROOT / "incidents" / "oom-drill")),
        "PROMETHEUS_URL": prometheus_url,
        "KUBECONFIG": str(kubeconfig),
    }


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
