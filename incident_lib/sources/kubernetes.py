"""The live Kubernetes API as raw JSON, through the `kubernetes` client.

Every call asks for the API's own JSON (`_preload_content=False`), never the client's model objects:
they are slow on large lists, and a bundle made with plain `kubectl` must read the same. Lists are
paginated (`limit`/`continue`) and restarted cleanly when the server expires a continue token (410).
Each source has its own `Configuration` (no global one), and an API error reaches the caller as an
`InputError` of one line that says what to do about it.

A server can fail us without refusing us, so every request is bounded: transient answers (429, 5xx, a
reset connection) are tried again a few times with fixed waits (`retry.py`); each request's total time,
not only the gap between bytes, is at most the timeout; the source's whole run has a deadline; and an
answer is read only up to a byte limit. A list item whose kind is not the listed kind is left out.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from urllib.parse import quote

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.kinds import Kind, kind_of
from incident_lib.names import dns_label, not_found
from incident_lib.sources.retry import ATTEMPTS, TRANSIENT, Deadline, wait_before_retry

RBAC_HINT = "the read-only RBAC the chart ships grants it: helm/app/templates/sweep-rbac.yaml"
PAGE_SIZE = 500  # what kubectl asks for: a 10,000-pod namespace is 20 requests of bounded size
MAX_RESTARTS = 3  # a list whose continue token expires this often in a row is given up
LOG_TAIL_LINES = 500
LOG_LIMIT_BYTES = 256 * 1024
# One answer (a page of a list): 500 pods are 2-10 MB, and decoded JSON costs about ten times its bytes.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
ERROR_BODY_BYTES = 64 * 1024  # enough of an error answer for its Status message
DEADLINE_FACTOR = 20  # a run may take this many timeouts in all: 5 minutes at the default 15 s
CONNECT_TIMEOUT = 5.0
READ_SIZE = 64 * 1024
SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")  # the kubelet mounts it in pods
IN_CLUSTER = "in-cluster"  # the context name of a source that logs in with the pod's service account


class NotServed(Exception):
    """The API does not serve this resource (404 on a list): an optional kind is absent, not an error."""


class Unreadable(InputError):
    """A resource this run cannot read (not allowed, or too large to read whole): missing evidence,
    unless the run cannot do without it."""


class Forbidden(Unreadable):
    """403: the account may not read something (the message says which verb on which resource)."""


class TooLarge(Unreadable):
    """An answer larger than MAX_ANSWER_BYTES: reading stopped at the limit."""


class DeadlinePassed(InputError):
    """The source's run used up its deadline: no further requests are made."""


class KubeSource:
    """Read-only access to one cluster's API, raw JSON in and out.

    `timeout` bounds each request's total time. A run (a collection: see `for_run`) is bounded as a
    whole by `run_deadline` seconds (DEADLINE_FACTOR timeouts when not given), retries and their waits
    included. Items a list held that are not of the listed kind are left out and described in
    `dropped`; `calls` counts the requests made. The api_client's own retries should be off (`connect`
    does so): this source decides what is tried again.
    """

    def __init__(
        self,
        api_client: client.ApiClient,
        context: str = "",
        timeout: float = 15.0,
        page_size: int = PAGE_SIZE,
        run_deadline: float | None = None,
    ) -> None:
        self.api_client = api_client
        self.context = context
        self.timeout = timeout
        self.page_size = page_size
        self.run_deadline = DEADLINE_FACTOR * timeout if run_deadline is None else run_deadline
        self.deadline = Deadline(math.inf)  # outside a run, only each request's timeout bounds it
        self.dropped: list[str] = []
        self.calls = 0
        self.server = api_client.configuration.host

    def for_run(self) -> KubeSource:
        """This source for one run, on the same connections: its deadline counts from now, and what its
        lists leave out is noted apart from other runs' (a long-lived source serves many, at once)."""
        run = copy.copy(self)
        run.deadline, run.dropped, run.calls = Deadline(self.run_deadline), [], 0
        return run

    @classmethod
    def connect(cls, context: str | None = None, timeout: float = 15.0) -> KubeSource:
        """A source for `context` of the kubeconfig (`KUBECONFIG`, else ~/.kube/config), or the pod's
        service account when there is no kubeconfig and the process runs in a cluster."""
        configuration = client.Configuration()  # this source's own: the client's global is never touched
        configuration.retries = False  # the source retries itself, within its deadline
        path = os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
        kubeconfig = any(Path(p).exists() for p in path.split(os.pathsep) if p)
        if not kubeconfig and context is None and "KUBERNETES_SERVICE_HOST" in os.environ:
            return cls(client.ApiClient(_in_cluster(configuration)), IN_CLUSTER, timeout)
        if not kubeconfig:
            raise InputError(
                f"no kubeconfig at {path} (set KUBECONFIG, or run in a pod with a service account)"
            )
        try:
            contexts, current = config.list_kube_config_contexts(config_file=path)
            names = [c["name"] for c in contexts]
            if context is not None and context not in names:
                raise not_found("context", context, names)
            config.load_kube_config(
                config_file=path, context=context, client_configuration=configuration, persist_config=False
            )
        except ConfigException as exc:
            raise InputError(f"kubeconfig {path}: {_one_line(str(exc))}") from None
        return cls(client.ApiClient(configuration), context or (current or {}).get("name", ""), timeout)

    def close(self) -> None:
        self.api_client.close()

    # -- lists ------------------------------------------------------------------------------------------

    def list(
        self, kind: str | Kind, namespace: str | None = None, field_selector: str | None = None
    ) -> list[dict]:
        """Every object of `kind` (a catalogue name or a `Kind`) in `namespace` (or cluster-wide), with
        `kind` and `apiVersion` set on each and `metadata.managedFields` without their `fieldsV1`.

        Pages of `page_size`; when the server expires the continue token (410 Gone) the list starts over,
        so the result is one consistent list, never two halves of different ones. A resource the API
        does not serve (404) raises NotServed; a page over MAX_ANSWER_BYTES raises TooLarge.
        """
        spec = kind_of(kind)
        where = f" in namespace {namespace}" if namespace and spec.namespaced else ""
        what = f"list {spec.resource}{_group_note(spec.group)}{where}"
        query = [("limit", self.page_size)] + ([("fieldSelector", field_selector)] if field_selector else [])
        with gc_paused():  # the pages already read are not re-scanned while the next is decoded
            for _ in range(MAX_RESTARTS + 1):
                try:
                    return self._pages(spec, spec.path(namespace), query, what)
                except _Expired:
                    continue  # the snapshot behind the token is gone: start the list again
                except _Missing:
                    raise NotServed(what) from None
        raise InputError(
            f"Kubernetes API at {self.server}: could not {what}: the list changed under us "
            f"{MAX_RESTARTS + 1} times (410 Gone); retry, or lower the load on the API server"
        )

    def _pages(self, spec: Kind, path: str, query: list, what: str) -> list[dict]:
        items: list[dict] = []
        token = None
        while True:
            page = self._json(path, query + ([("continue", token)] if token else []), what)
            items += self._own_items(page.get("items") or [], spec, what)
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def _own_items(self, items: list, spec: Kind, what: str) -> list[dict]:
        """The items of a page that are of the listed kind, with `kind` and `apiVersion` set (list items
        omit them). The list says what its items are: one that claims another kind (a Secret in a list of
        pods) is left out, and described in `dropped`, rather than filed as what it claims."""
        own = []
        for item in items:
            if not isinstance(item, dict):
                self._drop(f"{spec.kind}: {what}: left out an item that is not an object")
                continue
            kind = item.setdefault("kind", spec.kind)
            api_version = item.setdefault("apiVersion", spec.api_version)
            if (kind, api_version) != (spec.kind, spec.api_version):
                self._drop(
                    f"{spec.kind}: {what}: left out an item of kind {str(kind)[:63]!r} "
                    f"(apiVersion {str(api_version)[:63]!r})"
                )
                continue
            _slim_managed_fields(item)
            own.append(item)
        return own

    def _drop(self, note: str) -> None:
        if note not in self.dropped:  # a list started over meets the same item again
            self.dropped.append(note)

    # -- single objects ---------------------------------------------------------------------------------

    def check_namespaces(self, namespaces: list[str]) -> None:
        """Raise InputError naming the closest existing namespaces when one of `namespaces` does not exist.

        Listing pods in a namespace that does not exist returns an empty list, not a 404, so a typo
        would look like a healthy, empty namespace: ask for each namespace first.
        """
        for namespace in namespaces:
            dns_label(namespace, "namespace")
            try:
                self._json(f"/api/v1/namespaces/{namespace}", [], f"get namespace {namespace}")
            except _Missing:
                names = [n["metadata"]["name"] for n in self._safe_list("Namespace")]
                raise not_found("namespace", namespace, names) from None
            except Forbidden:
                continue  # allowed to read inside the namespace but not to get it: carry on

    def _safe_list(self, kind: str, namespace: str | None = None) -> list[dict]:
        try:
            return self.list(kind, namespace)
        except (InputError, NotServed):
            return []

    def pod_names(self, namespace: str) -> list[str]:
        """Names of the pods of `namespace` (for suggestions when a pod is not found)."""
        return [p["metadata"]["name"] for p in self._safe_list("Pod", namespace)]

    def version(self) -> dict:
        """The API server's version (`gitVersion` etc.), or {} when it does not say."""
        try:
            return self._json("/version", [], "get the server version")
        except (InputError, _Missing):
            return {}

    # -- logs -------------------------------------------------------------------------------------------

    def log(
        self,
        namespace: str,
        pod: str,
        container: str,
        previous: bool = False,
        tail_lines: int = LOG_TAIL_LINES,
        limit_bytes: int = LOG_LIMIT_BYTES,
    ) -> str | None:
        """The tail of a container's log (of its previous instance if `previous`), or None when there is none.

        The server is asked for `tail_lines` and `limit_bytes`, and the client stops reading at
        `limit_bytes` too: a 1 GB log from a server that ignores the limit never reaches memory.
        """
        what = f"get pods/log of {namespace}/{pod} container {container}{' (previous)' if previous else ''}"
        query = [
            ("container", container),
            ("previous", previous),
            ("tailLines", tail_lines),
            ("limitBytes", limit_bytes),
        ]
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/log"
        try:
            data = self._get(path, query, what, limit_bytes, accept="text/plain")
        except (_Missing, _BadRequest):
            return None  # no previous instance, or the log is gone with the container
        return data[:limit_bytes].decode("utf-8", errors="replace")

    # -- requests ---------------------------------------------------------------------------------------

    def _json(self, path: str, query: list, what: str) -> dict:
        """The JSON object GET `path` answers; TooLarge past MAX_ANSWER_BYTES."""
        body = self._get(path, query, what, MAX_ANSWER_BYTES)
        if len(body) > MAX_ANSWER_BYTES:
            raise TooLarge(
                f"Kubernetes API at {self.server}: could not {what}: the answer is larger than "
                f"{MAX_ANSWER_BYTES >> 20} MiB, the most read of one answer (reading stopped there)"
            )
        try:
            answer = json.loads(body)
        except ValueError as exc:  # not an API server
            raise InputError(
                f"Kubernetes API at {self.server}: {what}: the answer is not JSON ({_one_line(str(exc))})"
            ) from None
        if not isinstance(answer, dict):
            raise InputError(f"Kubernetes API at {self.server}: {what}: the answer is not a JSON object")
        return answer

    def _get(
        self, path: str, query: list, what: str, limit: int, accept: str = "application/json"
    ) -> bytearray:
        """The body of GET `path`, at most `limit` bytes plus one (so the caller sees there was more).

        A transient failure is tried again, ATTEMPTS times in all, after the waits of `retry.py`, as
        long as the wait ends before the deadline.
        """
        for attempt in count(1):
            budget = min(self.timeout, self.deadline.left())
            try:
                with self._errors(what, by_deadline=budget < self.timeout):
                    return self._attempt(path, query, limit + 1, accept, budget)
            except _Transient as exc:
                wait = wait_before_retry(attempt, exc.retry_after)
                if attempt == ATTEMPTS or wait >= self.deadline.left():
                    raise InputError(
                        f"{exc}; gave up after {attempt} attempt{'s' if attempt > 1 else ''}"
                    ) from None
                time.sleep(wait)

    def _attempt(self, path: str, query: list, limit: int, accept: str, budget: float) -> bytearray:
        """One GET, its total time at most `budget` seconds."""
        if budget <= 0:
            raise TimeoutError  # the deadline has passed: no more requests
        until = time.monotonic() + budget
        request = self.api_client.param_serialize(
            "GET", path, query_params=query, header_params={"Accept": accept}, auth_settings=["BearerToken"]
        )
        self.calls += 1
        timeouts = (min(budget, CONNECT_TIMEOUT), budget)
        response = self.api_client.call_api(*request, _request_timeout=timeouts).response
        ok = 200 <= response.status <= 299
        body = _read(response, limit if ok else ERROR_BODY_BYTES, until)
        if not ok:
            error = ApiException(response.status, response.reason, body=body.decode("utf-8", "replace"))
            error.headers = response.headers
            raise error
        return body

    # -- errors -----------------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, what: str, by_deadline: bool) -> Iterator[None]:
        """Turn the client's exceptions into one-line InputErrors (or the internal 404/410/400 signals).
        `by_deadline`: the request's time was cut short by the run's deadline, so a timeout is that."""
        try:
            yield
        except ApiException as exc:
            raise self._api_error(exc, what) from None
        except urllib3.exceptions.MaxRetryError as exc:  # a client whose own retries are on
            raise self._transport_error(exc.reason, what, by_deadline) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._transport_error(exc, what, by_deadline) from None

    def _api_error(self, exc: ApiException, what: str) -> Exception:
        status = exc.status or 0
        if status == 410:
            return _Expired()
        if status == 404:
            return _Missing()
        if status == 400 and what.startswith("get pods/log"):
            return _BadRequest()
        verb, _, rest = what.partition(" ")
        if status == 401:
            remedy = (
                f"check the token mounted at {SERVICE_ACCOUNT}"
                if self.context == IN_CLUSTER
                else "log in again or choose another --context"
            )
            return InputError(
                f"Kubernetes API at {self.server} rejected the credentials of context {self.context!r} "
                f"(401 Unauthorized) trying to {what}; {remedy}"
            )
        if status == 403:
            return Forbidden(
                f"forbidden (403): the account of context {self.context!r} may not {what} "
                f"(it lacks '{verb}' on '{rest.split(' ')[0]}'); {RBAC_HINT}"
            )
        if status == 0:  # the client's own wrapping of TLS errors
            return InputError(
                f"cannot reach the Kubernetes API at {self.server}: {_one_line(str(exc.reason))}"
            )
        message = f"Kubernetes API at {self.server}: could not {what}: {status} " + _one_line(
            _status_message(exc.body) or exc.reason or ""
        )
        if status in TRANSIENT:
            return _Transient(message.strip(), (exc.headers or {}).get("Retry-After"))
        return InputError(message.strip())

    def _transport_error(self, reason, what: str, by_deadline: bool) -> InputError:
        # NewConnectionError is a ConnectTimeoutError to urllib3: a refused connection is not a slow API.
        timed_out = isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError)
        if timed_out and not isinstance(reason, urllib3.exceptions.NewConnectionError):
            if by_deadline:
                return DeadlinePassed(
                    f"Kubernetes API at {self.server}: the run reached its deadline of "
                    f"{self.deadline.seconds:g} s (trying to {what}); read fewer namespaces, "
                    f"or allow a longer timeout"
                )
            return InputError(
                f"Kubernetes API at {self.server} did not answer within {self.timeout:g} s (trying to {what})"
            )
        text = _one_line(str(reason))
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            text = text.rpartition(": ")[2] or text
        # refused, reset or cut short: a server restarting, or a proxy between us, may answer next time
        return _Transient(f"cannot reach the Kubernetes API at {self.server}: {text}")


class _Transient(InputError):
    """An answer worth another attempt: 429, 500, 502, 503, 504, or a connection refused or reset."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _Expired(Exception):
    """410 Gone: a continue token outlived its snapshot."""


class _Missing(Exception):
    """404 Not Found."""


class _BadRequest(Exception):
    """400: e.g. a previous container log that does not exist."""


def _read(response, limit: int, until: float) -> bytearray:
    """Up to `limit` bytes of `response`'s body, read before `until` (a `time.monotonic()`).

    Each read waits at most the time left, so a server that sends a byte a second cannot stretch a
    request past its timeout. The connection goes back to the pool only when the body was read to its
    end; otherwise it is closed, unread bytes and all.
    """
    body = bytearray()  # grown in place: no list of chunks and a joined copy of them at once
    try:
        while len(body) < limit:
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if response.connection is not None and response.connection.sock is not None:
                response.connection.sock.settimeout(left)
            chunk = response.read1(min(READ_SIZE, limit - len(body)))
            if not chunk:
                response.release_conn()
                return body
            body += chunk
    except BaseException:
        response.close()
        raise
    response.close()
    return body


MANAGED_FIELDS_KEPT = ("manager", "operation", "time", "apiVersion", "subresource")


def _slim_managed_fields(item: dict) -> None:
    """Keep who wrote the object and when (each `managedFields` entry's manager, operation, time,
    apiVersion and subresource: the change index reads them), and leave out `fieldsV1`, which fields
    each one owns: a third or more of a real pod's JSON, and nothing reads it."""
    metadata = item.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("managedFields"), list):
        metadata["managedFields"] = [
            {key: entry[key] for key in MANAGED_FIELDS_KEPT if key in entry}
            for entry in metadata["managedFields"]
            if isinstance(entry, dict)
        ]


def _in_cluster(configuration: client.Configuration) -> client.Configuration:
    """`configuration` set for the API of the cluster this pod runs in: its service account's token
    (re-read when the kubelet rotates it) and CA, the host from KUBERNETES_SERVICE_HOST and _PORT."""
    loader = config.incluster_config.InClusterConfigLoader(
        token_filename=str(SERVICE_ACCOUNT / "token"), cert_filename=str(SERVICE_ACCOUNT / "ca.crt")
    )
    try:
        loader.load_and_set(configuration)
    except ConfigException as exc:
        raise InputError(f"in-cluster service account at {SERVICE_ACCOUNT}: {_one_line(str(exc))}") from None
    return configuration


def _status_message(body) -> str:
    try:
        return str(json.loads(body).get("message", ""))
    except (TypeError, ValueError, AttributeError):
        return ""


def _group_note(group: str) -> str:
    return f".{group}" if group else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
