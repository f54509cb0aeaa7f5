"""A Prometheus HTTP API that misbehaves on purpose, one fault mode per server, over real HTTP.

It answers `/api/v1/status/config` (a 15 s scrape interval), `/api/v1/query` (`vector(1)`, what a
readiness check asks) and `/api/v1/query_range` for the pods of the OOM drill's recorded objects: each
resource query gets one series per container of the namespace it names, one sample per step of the
asked range; traffic queries get no series. A mode spoils those answers the way a broken or hostile
Prometheus (or a proxy in front of it) would:

- `healthy`: nothing spoiled.
- `inf`: one sample of the first series is `+Inf`, one of the last `-Inf`.
- `nan`: every other sample of the first series is `NaN` (what `0/0` gives), and one more series, of a
  container `idle`, is all `NaN`.
- `text`: one sample's value is `12 MiB`.
- `timestamp`: one sample's time is 10^300, another's the text `yesterday`.
- `vector`, `scalar`, `string`: an instant query's result type where a range query gives a matrix.
- `oversize`: a series whose samples never end (the body stops after ENDLESS samples, ~1 GiB, if the
  client never hangs up).
- `samples`: a series of `samples` samples (MANY_SAMPLES unless told), in fewer bytes than the source
  reads.
- `error`: 500 with Prometheus' error body, on every request.
- `slow`: every answer comes after SLOW_SECONDS.
- `drip`: every answer comes at once, then its body a byte every DRIP_SECONDS: each read is quick,
  the whole never is.
- `credentials`: healthy, but only to basic auth USER:PASSWORD (401 otherwise).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.servers.cluster import recorded_objects

MODES = (
    "healthy",
    "inf",
    "nan",
    "text",
    "timestamp",
    "vector",
    "scalar",
    "string",
    "oversize",
    "samples",
    "error",
    "slow",
    "drip",
    "credentials",
)
USER, PASSWORD = "sre", "pr0m-s3cret"
SLOW_SECONDS = 30.0  # far beyond any timeout a test gives: the server thread sleeps, then hangs up
ENDLESS = 1 << 26  # samples of `oversize`: ~1 GiB
MANY_SAMPLES = 600_000  # twice what the source keeps of one answer, in ~10 MiB
DRIP_SECONDS = 0.05
CONFIG = "global:\n  scrape_interval: 15s\n"


def drill_containers() -> dict[str, list[tuple[str, str]]]:
    """(pod, container) of every pod of the OOM drill, by namespace."""
    containers: dict[str, list[tuple[str, str]]] = {}
    for obj in recorded_objects():
        if obj.get("kind") == "Pod":
            meta = obj["metadata"]
            for container in obj["spec"]["containers"]:
                containers.setdefault(meta["namespace"], []).append((meta["name"], container["name"]))
    return containers


class FaultPrometheus:
    """Serve `mode` on a free loopback port, as a context manager."""

    def __init__(self, mode: str, samples: int = MANY_SAMPLES) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        self.mode = mode
        self.samples = samples
        self.containers = drill_containers()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if self.mode == "credentials":
            return f"http://{USER}:{PASSWORD}@{host}:{port}"
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultPrometheus:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, query: dict[str, str], authorization: str) -> tuple[int, object]:
        """The status and JSON body of one request (chunks of bytes for `oversize` and `samples`)."""
        if self.mode == "slow":
            time.sleep(SLOW_SECONDS)
        if self.mode == "error":
            return 500, _error("internal", "query processing would load too many samples into memory")
        if self.mode == "credentials" and authorization != _basic(USER, PASSWORD):
            return 401, _error("unauthorized", "Unauthorized")
        if path == "/api/v1/status/config":
            return 200, {"status": "success", "data": {"yaml": CONFIG}}
        if path == "/api/v1/query":
            one = {"resultType": "vector", "result": [{"metric": {}, "value": [time.time(), "1"]}]}
            return 200, {"status": "success", "data": one}
        if path != "/api/v1/query_range":
            return 404, _error("not_found", f"{path} is not served here")
        start, end, step = (float(query[k].removesuffix("s")) for k in ("start", "end", "step"))
        times = [start + i * step for i in range(int((end - start) // step) + 1)]
        series = [
            {"metric": {"namespace": namespace, "pod": pod, "container": container}, "values": []}
            for namespace, pod, container in self._subjects(query["query"])
        ]
        if self.mode in ("oversize", "samples"):
            count = ENDLESS if self.mode == "oversize" else self.samples
            return 200, _long_series(series[0]["metric"] if series else {}, start, count)
        for one in series:
            one["values"] = [[t, "1048576"] for t in times]
        return 200, {"status": "success", "data": _spoiled(self.mode, series, end)}

    def _subjects(self, promql: str) -> list[tuple[str, str, str]]:
        """(namespace, pod, container) a resource query is about; none for a traffic query."""
        match = re.search(r'\bnamespace="([^"]+)"', promql)
        if not match or not promql.startswith("sum by (namespace, pod, container)"):
            return []
        namespace = match.group(1)
        return [(namespace, pod, container) for pod, container in self.containers.get(namespace, [])]


def _spoiled(mode: str, series: list[dict], end: float) -> dict:
    """The `data` of a query_range answer holding `series`, spoiled as `mode` says."""
    if mode == "vector":
        return {"resultType": "vector", "result": [{**s, "value": [end, "1"]} for s in series]}
    if mode == "scalar":
        return {"resultType": "scalar", "result": [end, "1"]}
    if mode == "string":
        return {"resultType": "string", "result": [end, "up"]}
    if series:
        first, last = series[0]["values"], series[-1]["values"]
        middle = len(first) // 2
        if mode == "inf":
            first[middle][1], last[-1][1] = "+Inf", "-Inf"
        elif mode == "nan":
            for sample in first[::2]:
                sample[1] = "NaN"
            idle = {**series[0]["metric"], "container": "idle"}
            series.append({"metric": idle, "values": [[t, "NaN"] for t, _ in first]})
        elif mode == "text":
            first[middle][1] = "12 MiB"
        elif mode == "timestamp":
            first[middle][0], last[0][0] = 1e300, "yesterday"
    return {"resultType": "matrix", "result": series}


def _long_series(metric: dict, start: float, samples: int):
    """A matrix answer of one series of about `samples` samples, as chunks of bytes, ending only if the
    client reads that far."""
    head = '{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": %s, "values": ['
    yield (head % json.dumps(metric)).encode()
    per_chunk = 4096
    chunk = b"".join(f'[{start + i:.0f},"1"],'.encode() for i in range(per_chunk))
    for _ in range(samples // per_chunk):
        yield chunk
    yield f'[{start:.0f},"1"]]}}]}}}}'.encode()


def _drip(data: bytes):
    """`data` a byte at a time, DRIP_SECONDS apart."""
    for i in range(len(data)):
        time.sleep(DRIP_SECONDS)
        yield data[i : i + 1]


def _error(kind: str, message: str) -> dict:
    return {"status": "error", "errorType": kind, "error": message}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _handler(server: FaultPrometheus) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            status, body = server.answer(url.path, query, self.headers.get("Authorization", ""))
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if isinstance(body, dict):
                    data = json.dumps(body).encode()
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    for chunk in _drip(data) if server.mode == "drip" else [data]:
                        self.wfile.write(chunk)
                else:  # HTTP/1.0 without a length: the body ends when the connection does
                    self.end_headers()
                    for chunk in body:
                        self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up, as it should on an oversize or slow answer

        def log_message(self, *args) -> None:
            pass

    return Handler
