"""A Kubernetes API server double over real HTTP: it replays recorded objects the way the API serves them.

Lists come paginated (`limit`/`continue`, ordered by namespace and name as etcd keys are) with `kind`
and `apiVersion` left off the items, `fieldSelector` filters events and pods, logs honour `tailLines`
and `limitBytes`, and the failures a live source must survive are switches: 401 without the token, 403
per verb and resource, 404 for unserved APIs and missing objects, 410 on continue tokens, slow answers;
and what a faulty server does: transient statuses (429 with Retry-After, 5xx), reset connections,
bodies dripped a byte at a time, requests never answered, items of another kind inside a list, and
lists far larger than asked for. Every request is recorded, so tests count calls. Given a certificate
it serves HTTPS, as a cluster's API does to the pods in it. `python -m tests.servers.kube_api --pods N`
serves N generated pods (the benchmark runs it in its own process).
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from incident_lib.k8s.kinds import KINDS, OPTIONAL_GROUPS

TOKEN = "replay-token"

# resource -> (kind, group/version): every kind of the project's catalogue, as a real API server serves
# the built-in ones; add-ons (Istio) only when a test asks
RESOURCES = {k.resource: (k.kind, k.api_version) for k in KINDS.values() if k.group not in OPTIONAL_GROUPS}
ISTIO_RESOURCES = {k.resource: (k.kind, k.api_version) for k in KINDS.values() if k.group in OPTIONAL_GROUPS}
KIND_RESOURCE = {kind: resource for resource, (kind, _) in {**RESOURCES, **ISTIO_RESOURCES}.items()}


def kubeconfig_yaml(server: str, token: str = TOKEN) -> str:
    """A kubeconfig whose current context `lab` reaches `server` with `token`: what a user's
    KUBECONFIG says of the double."""
    return f"""apiVersion: v1
kind: Config
clusters: [{{name: replay, cluster: {{server: "{server}"}}}}]
users: [{{name: sweep, user: {{token: "{token}"}}}}]
contexts: [{{name: lab, context: {{cluster: replay, user: sweep}}}}]
current-context: lab
"""


LogSource = str | Callable[[], Iterable[bytes]]  # text, or a stream that ignores the limits (a huge log)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]


@dataclass
class Faults:
    """What goes wrong, switched on per test."""

    forbidden: set[tuple[str, str]] = field(default_factory=set)  # (verb, resource), e.g. ("list", "pods")
    expire_continue: int = 0  # answer this many continue tokens with 410 Gone
    delay: dict[str, float] = field(default_factory=dict)  # resource -> seconds before answering
    istio: bool = False  # serve the Istio CRDs
    # Keyed by the end of a request's path: "/namespaces/apps/pods" (that list), "/pods" (every pod
    # list), "/pods/NAME/log" (that pod's logs).
    # Answered first, one a request: an HTTP status, or RESET (the connection reset, unanswered).
    fail: dict[str, list[int]] = field(default_factory=dict)
    retry_after: str | None = None  # the Retry-After header of 429 and 503 answers
    drip: dict[str, float] = field(default_factory=dict)  # seconds between the bytes of the answer
    hang: set[str] = field(default_factory=set)  # never answered (until the server stops)
    smuggle: dict[str, list[dict]] = field(default_factory=dict)  # items added to a list, kind and all
    huge: dict[str, int] = field(default_factory=dict)  # a list of this many bytes, whatever the limit


RESET = 0  # in `Faults.fail`, and from `answer`: reset the connection instead of answering


class KubeApiDouble:
    """Serve `objects` (raw API JSON, any kinds) and `logs` on a free loopback port until `stop()`."""

    def __init__(
        self,
        objects: list[dict],
        logs: dict[tuple[str, str, str, bool], LogSource] | None = None,
        tls: tuple[Path, Path] | None = None,
    ):
        self.faults = Faults()
        self.requests: list[Request] = []
        self.log_bytes_sent: dict[tuple[str, str, str, bool], int] = defaultdict(int)
        self.huge_bytes_sent: dict[str, int] = defaultdict(int)
        self._stopped = threading.Event()
        self.logs = logs or {}
        self._lock = threading.Lock()
        self._pages: dict[str, bytes] = {}
        self.set_objects(objects)
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.scheme = "https" if tls else "http"
        if tls:  # (certificate, key), PEM
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> KubeApiDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> KubeApiDouble:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def set_objects(self, objects: list[dict]) -> None:
        """Replace what is served (e.g. a cluster that changed between two lists)."""
        by_resource: dict[str, list[dict]] = defaultdict(list)
        for obj in objects:
            by_resource[KIND_RESOURCE[obj["kind"]]].append(obj)
        namespaces = {o["metadata"].get("namespace") for o in objects} - {None, ""}
        known = {o["metadata"]["name"] for o in by_resource["namespaces"]}
        by_resource["namespaces"] += [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "status": {"phase": "Active"}}
            for ns in sorted(namespaces - known)
        ]
        for items in by_resource.values():
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        with self._lock:
            self.objects = dict(by_resource)
            self.resource_version = str(int(getattr(self, "resource_version", "1000")) + 1)
            self._pages.clear()

    def count(self, path_part: str = "", **query: str) -> int:
        """How many requests had `path_part` in their path and these query parameters."""
        return sum(
            1
            for r in self.requests
            if path_part in r.path and all(r.query.get(k) == v for k, v in query.items())
        )

    # -- answers ----------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], token: str | None):
        """Return (status, content type, body bytes or an iterable of chunks) for one request."""
        with self._lock:
            self.requests.append(Request(method, path, query))
        if token != TOKEN:
            return _status(401, "Unauthorized", "Unauthorized")
        faulty = self._faulty(path)
        if faulty is not None:
            return faulty
        parts = [p for p in path.split("/") if p]
        if parts == ["version"]:
            return (
                200,
                "application/json",
                json.dumps({"major": "1", "minor": "28", "gitVersion": "v1.28.15"}),
            )
        group_version, rest = _split_api(parts)
        if group_version is None:
            return _status(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            namespace, rest = rest[1], rest[2:]
        served = {**RESOURCES, **(ISTIO_RESOURCES if self.faults.istio else {})}
        if not rest or rest[0] not in served or served[rest[0]][1] != group_version:
            return _status(404, "NotFound", "the server could not find the requested resource")
        resource = rest[0]
        time.sleep(self.faults.delay.get(resource, 0))
        if resource == "pods" and len(rest) == 3 and rest[2] == "log":
            return self._log(namespace, rest[1], query)
        verb = "get" if len(rest) == 2 else "list"
        if (verb, resource) in self.faults.forbidden:
            group = group_version.rpartition("/")[0]
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            return _status(
                403,
                "Forbidden",
                f'{resource} is forbidden: User "system:serviceaccount:ops:sweep" cannot {verb} resource '
                f'"{resource}" in API group "{group}"{where}',
            )
        items = self.objects.get(resource, [])
        if namespace is not None:
            items = [o for o in items if o["metadata"].get("namespace") == namespace]
        if verb == "get":
            return self._get(resource, items, rest[1])
        status, content_type, body = self._list(resource, group_version, namespace, items, query, path)
        interval = _ending(self.faults.drip, path)
        return status, content_type, body if interval is None else _dripped(body, interval)

    def _faulty(self, path: str):
        """The answer a fault switched on for `path` gives instead of the real one, or None."""
        with self._lock:
            statuses = _ending(self.faults.fail, path)
            status = statuses.pop(0) if statuses else None
        if status == RESET:
            return RESET, "", b""
        if status is not None:
            return _status(status, HTTPStatus(status).phrase.replace(" ", ""), f"fault: {status}")
        if any(path.endswith(suffix) for suffix in self.faults.hang):
            self._stopped.wait()
            return _status(503, "ServiceUnavailable", "the server is shutting down")
        size = _ending(self.faults.huge, path)
        if size is not None:
            return 200, "application/json", _counted_huge(_huge_list(path, size), self, path)
        return None

    def _get(self, resource: str, items: list[dict], name: str):
        for obj in items:
            if obj["metadata"]["name"] == name:
                return 200, "application/json", json.dumps(obj)
        return _status(404, "NotFound", f'{resource} "{name}" not found')

    def _list(self, resource: str, group_version: str, namespace: str | None, items: list[dict], query, path):
        key = json.dumps([resource, namespace, sorted(query.items()), self.resource_version])
        if key in self._pages:
            return 200, "application/json", self._pages[key]
        selector = query.get("fieldSelector")
        if selector:
            try:
                items = [o for o in items if _matches(o, selector)]
            except KeyError as exc:
                return _status(400, "BadRequest", f'"{exc.args[0]}" is not a known field selector')
        start = 0
        if query.get("continue"):
            if self.faults.expire_continue > 0:
                with self._lock:
                    self.faults.expire_continue -= 1
                return _status(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result.",
                )
            token = json.loads(base64.b64decode(query["continue"]))
            if token["rv"] != self.resource_version:
                return _status(410, "Expired", "The provided continue parameter is too old.")
            start = token["start"]
        limit = int(query.get("limit") or 0) or len(items) or 1
        page = items[start : start + limit]
        metadata: dict = {"resourceVersion": self.resource_version}
        if start + limit < len(items):
            token = {"rv": self.resource_version, "start": start + limit}
            metadata["continue"] = base64.b64encode(json.dumps(token).encode()).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
        kind = RESOURCES.get(resource, ISTIO_RESOURCES.get(resource))[0]
        body = json.dumps(
            {
                "kind": f"{kind}List",
                "apiVersion": group_version,
                "metadata": metadata,
                # The API leaves kind and apiVersion off list items.
                "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in page]
                + (_ending(self.faults.smuggle, path) or []),
            }
        ).encode()
        self._pages[key] = body
        return 200, "application/json", body

    def _log(self, namespace: str, pod: str, query: dict[str, str]):
        if ("get", "pods/log") in self.faults.forbidden:
            return _status(403, "Forbidden", f'pods "{pod}" is forbidden: cannot get resource "pods/log"')
        container = query.get("container", "")
        previous = query.get("previous") == "true"
        key = (namespace, pod, container, previous)
        if key not in self.logs:
            which = "previous terminated container" if previous else "container"
            return _status(400, "BadRequest", f'{which} "{container}" in pod "{pod}" not found')
        source = self.logs[key]
        if callable(source):  # a huge log from a server that ignores the limits: streamed, counted
            return 200, "text/plain", _counted(source(), self, key)
        lines = source.splitlines(keepends=True)
        if query.get("tailLines"):
            lines = lines[-int(query["tailLines"]) :]
        data = "".join(lines).encode()
        if query.get("limitBytes"):
            data = data[: int(query["limitBytes"])]
        self.log_bytes_sent[key] += len(data)
        return 200, "text/plain", data


def _counted(chunks: Iterable[bytes], server: KubeApiDouble, key) -> Iterable[bytes]:
    for chunk in chunks:
        server.log_bytes_sent[key] += len(chunk)
        yield chunk


def _ending(table: dict, path: str):
    """The value of `table` whose key ends `path`, or None."""
    return next((value for suffix, value in table.items() if path.endswith(suffix)), None)


def _dripped(body: str | bytes, interval: float) -> Iterable[bytes]:
    data = body.encode() if isinstance(body, str) else body
    for i in range(len(data)):
        time.sleep(interval)
        yield data[i : i + 1]


def _huge_list(path: str, size: int) -> Iterable[bytes]:
    """A pod list of about `size` bytes, made as it is sent: pods with 64 KiB annotations."""
    namespace = path.split("/")[-2]
    yield b'{"kind":"PodList","apiVersion":"v1","metadata":{},"items":['
    sent, i = 0, 0
    while sent < size:
        pod = {
            "metadata": {"name": f"huge-{i:07d}", "namespace": namespace, "annotations": {"pad": "x" * 65536}}
        }
        chunk = (b"," if i else b"") + json.dumps(pod).encode()
        sent, i = sent + len(chunk), i + 1
        yield chunk
    yield b"]}"


def _counted_huge(chunks: Iterable[bytes], server: KubeApiDouble, path: str) -> Iterable[bytes]:
    for chunk in chunks:
        server.huge_bytes_sent[path] += len(chunk)
        yield chunk


def _split_api(parts: list[str]) -> tuple[str | None, list[str]]:
    if parts[:2] == ["api", "v1"]:
        return "v1", parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return f"{parts[1]}/{parts[2]}", parts[3:]
    return None, []


def _matches(obj: dict, selector: str) -> bool:
    for term in selector.split(","):
        negate = "!=" in term
        name, value = term.replace("!=", "=").replace("==", "=").split("=", 1)
        fields = {
            "metadata.name": obj["metadata"].get("name"),
            "metadata.namespace": obj["metadata"].get("namespace"),
        }
        if "involvedObject" in obj:
            fields.update({f"involvedObject.{k}": v for k, v in obj["involvedObject"].items()})
            fields.setdefault("involvedObject.namespace", "")
        if name not in fields and not name.startswith("involvedObject."):
            raise KeyError(name)
        if (fields.get(name, "") == value) == negate:
            return False
    return True


def _status(code: int, reason: str, message: str):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}  # fmt: skip
    return code, "application/json", json.dumps(body)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up (a bounded log reader, a timed-out call) is not a server error


def _handler(server: KubeApiDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            # The scheme is case-insensitive: in a pod the client sends "bearer".
            scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
            token = credentials if scheme.lower() == "bearer" else None
            status, content_type, body = server.answer("GET", url.path, query, token)
            if status == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return  # closed with a linger of 0: the client reads a reset, not an answer
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if status in (429, 503) and server.faults.retry_after is not None:
                    self.send_header("Retry-After", server.faults.retry_after)
                if isinstance(body, str | bytes):
                    data = body.encode() if isinstance(body, str) else body
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in body:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: what a bounded reader does

        def log_message(self, *args) -> None:
            pass

    return Handler


def main() -> None:
    import argparse
    import sys

    from tests.servers.cluster import generated_pods

    parser = argparse.ArgumentParser(description="serve N generated pods in namespace 'load' until killed")
    parser.add_argument("--pods", type=int, default=5000)
    args = parser.parse_args()
    with KubeApiDouble(generated_pods("load", args.pods)) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
