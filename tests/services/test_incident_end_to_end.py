"""An incident from start to end with real processes: the services, Debian's Prometheus evaluating the
chart's alert rules, Debian's Alertmanager, the diagnostics API, the Kubernetes API double serving the
platform's objects, and an HTTP receiver for the notifications.

Under a steady trickle of requests, latency injected into payments-service fires ServiceHighLatencyP99;
Alertmanager sends the group to `POST /alerts`; the API captures namespace `apps`, diagnoses it, writes
the postmortem and tells the receiver. payments-service restarted without the fault resolves the
alert once the slow requests leave the rules' window, and the incident with it.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from diagnostics_proc import start_api
from service_procs import Launcher, free_port, service_command, service_env, wait_for_health

from incident_lib.incidents.store import IncidentStore
from services.local_platform.alerting import alertmanager_config, chart_rules
from services.local_platform.cluster import platform_objects
from services.local_platform.prometheus_config import scrape_config
from tests.helpers import OOM_DRILL
from tests.incidents.conftest import Receiver
from tests.servers.kube_api import KubeApiDouble, kubeconfig_yaml

PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager")
WINDOW = "20s"  # of the rules' rates, instead of 5m: latency gone shows within seconds, not minutes
TIMEOUT_S = 150.0

pytestmark = pytest.mark.skipif(
    not (PROMETHEUS and ALERTMANAGER),
    reason="Debian's prometheus and prometheus-alertmanager packages are needed; .ci/run installs them",
)


class Processes:
    """Processes this test starts, stopped at its end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("ab") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.running):
            self.stop(process)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def wait_for(condition: Callable[[], object], what: str, logs: Path, seconds: float = TIMEOUT_S):
    """`condition()`'s first true answer, polled until `seconds` pass; else the test fails, naming `what`
    and the folder of the processes' logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = condition()
        except httpx.TransportError:
            answer = None
        if answer:
            return answer
        time.sleep(0.5)
    pytest.fail(f"timed out after {seconds:.0f}s waiting for {what}; the processes' logs are in {logs}")


def start_payments(processes: Processes, port: int, **knobs: str) -> subprocess.Popen:
    """payments-service on `port` (kept across restarts: backend-api and Prometheus know it)."""
    command = service_command("payments-service", port)
    process = processes.start("payments-service", command, service_env(knobs))
    wait_for_health(
        "payments-service", f"http://127.0.0.1:{port}", process, processes.logs / "payments-service.log"
    )
    return process


class Load:
    """GETs of `url`, one after the other, from a thread until stopped, and what each one got (a status
    code, or the error's name); paused while a service restarts (a request then would fail, and fire
    another alert)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.outcomes: list[int | str] = []
        self._running = threading.Event()
        self._stopped = threading.Event()
        self._busy = threading.Lock()  # held while a request is in flight
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self._running.set()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._running.set()
        self._thread.join()

    def pause(self) -> None:
        """Stop sending; return once no request is in flight."""
        self._running.clear()
        with self._busy:
            pass

    def resume(self) -> None:
        self._running.set()

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stopped.is_set():
                self._running.wait()
                with self._busy:
                    if self._running.is_set() and not self._stopped.is_set():
                        self.outcomes.append(self._get(client))
                time.sleep(0.2)

    def _get(self, client: httpx.Client) -> int | str:
        try:
            return client.get(self.url).status_code
        except httpx.HTTPError as exc:
            return type(exc).__name__


def test_a_latency_fault_opens_one_diagnosed_incident_and_resolving_it_closes_it(
    tmp_path: Path, processes: Processes, receiver: Receiver
) -> None:
    with contextlib.ExitStack() as stack:
        launcher = Launcher(tmp_path)
        stack.callback(launcher.stop_all)
        payments_port = free_port()
        payments = start_payments(processes, payments_port, FAULT_LATENCY_MS="1500")
        services = {name: launcher.start(name) for name in ("users-service", "orders-service")}
        services["backend-api"] = launcher.start(
            "backend-api",
            USERS_URL=services["users-service"].url,
            ORDERS_URL=services["orders-service"].url,
            PAYMENTS_URL=f"http://127.0.0.1:{payments_port}",
            DOWNSTREAM_TIMEOUT_S="5",
        )
        ports = {name: int(s.url.rsplit(":", 1)[1]) for name, s in services.items()}
        ports["payments-service"] = payments_port

        kube_api = stack.enter_context(KubeApiDouble(platform_objects(ports)))
        (tmp_path / "kubeconfig").write_text(kubeconfig_yaml(kube_api.url))
        prometheus_port, alertmanager_port = free_port(), free_port()
        store = IncidentStore(str(tmp_path / "incidents"))
        api = start_api(
            tmp_path,
            INCIDENT_BUNDLE=str(OOM_DRILL),
            INCIDENT_STORE=store.url,
            INCIDENT_LOOKBACK="10m",
            INCIDENT_NOTIFY_URLS=receiver.url,
            PROMETHEUS_URL=f"http://127.0.0.1:{prometheus_port}",
            KUBECONFIG=str(tmp_path / "kubeconfig"),
        )
        stack.callback(api.stop)
        start_alerting(tmp_path, processes, ports, api.url, prometheus_port, alertmanager_port)

        with Load(f"{services['backend-api'].url}/api/summary") as load:
            told = wait_for(lambda: receiver.bodies, "the notification of the new incident", tmp_path)
            [record] = store.incidents()
            assert record["alert"] == "ServiceHighLatencyP99" and record["status"] == "firing"
            assert record["namespaces"] == ["apps"]
            assert {"kind": "Service", "namespace": "apps", "name": "payments-service"} in record["subjects"]
            assert record["root_cause"] == "high_latency", record["missing_evidence"]
            # backend-api waits for payments-service, so both are slow, and the metrics cannot tell
            # which one waits for the other: the root cause is either's
            assert record["subject"]["name"] in {"payments-service", "backend-api"}
            assert record["bundle"] == "bundle" and record["diagnosed_at"]
            [postmortem] = [p for p in record["reports"] if p.endswith("postmortem.md")]
            draft = (tmp_path / "incidents" / record["id"] / postmortem).read_text()
            assert draft.startswith("# Postmortem (draft): high_latency on Service apps/")
            assert "ServiceHighLatencyP99" in draft  # the Detection section names the alert that fired
            [body] = told
            assert body["title"] == (
                f"[FIRING] ServiceHighLatencyP99: high_latency (Service apps/{record['subject']['name']})"
            )
            assert [n["delivered"] for n in record["notifications"]] == [True]

            load.pause()  # the fault turned off: payments-service runs again without the knob
            processes.stop(payments)
            start_payments(processes, payments_port)
            load.resume()
            closed = wait_for(
                lambda: [r for r in store.incidents() if r["status"] == "resolved"],
                "the resolution",
                tmp_path,
            )
            assert [r["id"] for r in closed] == [record["id"]] and closed[0]["resolved_at"]
            wait_for(lambda: len(receiver.bodies) == 2, "the notification of the resolution", tmp_path, 30)
        assert receiver.bodies[1]["title"].startswith("[RESOLVED] ServiceHighLatencyP99")
        assert len(store.incidents()) == 1
        assert set(load.outcomes) == {200}
        assert receiver.url.split("://")[1] not in api.log.read_text()  # the URL is never logged


def start_alerting(
    tmp_path: Path, processes: Processes, ports: dict[str, int], api_url: str, prometheus_port: int,
    alertmanager_port: int,
) -> None:  # fmt: skip
    """Alertmanager sending to the API, and Prometheus evaluating the chart's rules every second (`for`
    1 s, rates over WINDOW) and sending to Alertmanager; return once both are ready."""
    alertmanager = tmp_path / "alertmanager.yml"
    alertmanager.write_text(alertmanager_config(f"{api_url}/alerts", group_wait="1s", group_interval="2s"))
    processes.start(
        "alertmanager",
        [ALERTMANAGER, f"--config.file={alertmanager}", f"--storage.path={tmp_path / 'alertmanager'}",
         f"--web.listen-address=127.0.0.1:{alertmanager_port}", "--cluster.listen-address="],
    )  # fmt: skip
    rules = chart_rules({"monitoring": {"prometheusRule": {"for": "1s"}}})
    assert "[5m]" in rules
    (tmp_path / "rules.yml").write_text(rules.replace("[5m]", f"[{WINDOW}]"))
    config = tmp_path / "prometheus.yml"
    targets = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    config.write_text(
        scrape_config(targets, "1s", rule_files=[str(tmp_path / "rules.yml")],
                      alertmanager=f"127.0.0.1:{alertmanager_port}")
    )  # fmt: skip
    processes.start(
        "prometheus",
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
    )  # fmt: skip
    for port in (alertmanager_port, prometheus_port):
        wait_for(answers(f"http://127.0.0.1:{port}/-/ready"), f"127.0.0.1:{port}/-/ready", tmp_path, 30)


def answers(url: str) -> Callable[[], bool]:
    """Whether `url` answers 200 now."""
    return lambda: httpx.get(url, timeout=2).status_code == 200
