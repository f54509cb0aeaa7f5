"""Run the services as real uvicorn processes on free loopback ports, and stop them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
START_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_command(name: str, port: int) -> list[str]:
    """The command line that runs service `name` on `port` from the source tree."""
    return [
        sys.executable,
        "-m",
        "platform_services",
        "--service",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def service_env(env: dict[str, str]) -> dict[str, str]:
    """The process environment: ours, the services on PYTHONPATH, plus `env` (the knobs)."""
    return {**os.environ, "PYTHONPATH": str(SERVICES_DIR), **env}


@dataclass
class RunningService:
    """A service process and where to reach it."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path


class Launcher:
    """Starts service processes, waits until they answer /health, and stops them all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._running: list[RunningService] = []

    def start(self, name: str, **env: str) -> RunningService:
        """Start service `name` with the environment variables `env`; return once /health answers."""
        port = free_port()
        log = self._log_dir / f"{name}-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                service_command(name, port), env=service_env(env), stdout=out, stderr=subprocess.STDOUT
            )
        service = RunningService(name, f"http://127.0.0.1:{port}", process, log)
        self._running.append(service)
        wait_for_health(name, service.url, process, log)
        return service

    def stop_all(self) -> None:
        """Terminate every process started, killing those that do not stop in time."""
        for service in self._running:
            service.process.terminate()
        for service in self._running:
            try:
                service.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()


def wait_for_health(name: str, url: str, process: subprocess.Popen, log: Path) -> None:
    """Return once `url`/health answers 200; fail the test with the process's log if it exits or hangs."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"{name} did not answer /health within {START_TIMEOUT_S}s: {log.read_text()}")
