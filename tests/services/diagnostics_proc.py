"""Run the diagnostics API as a real uvicorn process (`python -m services.diagnostics`) on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.services.service_procs import free_port, wait_for_health  # importable from tests/faults too

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningApi:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_api(log_dir: Path, **env: str) -> RunningApi:
    """Start the API with `env` (INCIDENT_BUNDLE=… or INCIDENT_SOURCE=live…); return once /health answers."""
    port = free_port()
    log = log_dir / f"diagnostics-{port}.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "PROMETHEUS_"))}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.diagnostics"],
            cwd=ROOT,
            env={**clean, "HOST": "127.0.0.1", "PORT": str(port), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    api = RunningApi(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_for_health("diagnostics API", api.url, process, log)
    except BaseException:
        api.stop()
        raise
    return api
