"""A real HTTP server for the runbook's URL checks: canned answers by path, on a free loopback port."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class CannedServer:
    """Answers GET `<path>?<query>` with its canned (status, JSON body), anything else with 404, and
    records each request's path and headers. Prometheus' targets API, Grafana's /api/health and the
    diagnostics API's probes are all plain GETs of JSON, so one double serves all three."""

    def __init__(self, answers: dict[str, tuple[int, object]]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(server: CannedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers)))
            status, body = server.answers.get(self.path, (404, {"error": "not found"}))
            data = json.dumps(body, separators=(",", ":")).encode()  # compact, as Prometheus answers
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass  # the test output stays clean

    return Handler


@pytest.fixture
def canned_server():
    """Start CannedServers with the answers given; each stops after the test."""
    started: list[CannedServer] = []

    def start(answers: dict[str, tuple[int, object]]) -> CannedServer:
        started.append(CannedServer(answers))
        return started[-1]

    yield start
    for server in started:
        server.stop()
