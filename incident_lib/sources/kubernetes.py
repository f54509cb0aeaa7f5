"""The live Kubernetes API as raw JSON, through the `kubernetes` client.

Every call asks for the API's own JSON (`_preload_content=False`), never the client's model objects:
they are slow on large lists, and a bundle made with plain `kubectl` must read the same. Lists are
paginated (`limit`/`continue`) and restarted cleanly when the server expires a continue token (410).
Every call has a client-side timeout, each source has its own `Configuration` (no global one), and an
API error reaches the caller as an `InputError` of one line that says what to do about it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.kinds import Kind, kind_of
from incident_lib.names import dns_label, not_found

RBAC_HINT = "the read-only RBAC the chart ships grants it: helm/app/templates/sweep-rbac.yaml"
PAGE_SIZE = 500  # what kubectl asks for: a 10,000-pod namespace is 20 requests of bounded size
MAX_RESTARTS = 3  # a list whose continue token expires this often in a row is given up
LOG_TAIL_LINES = 500
LOG_LIMIT_BYTES = 256 * 1024
SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")  # the kubelet mounts it in pods
IN_CLUSTER = "in-cluster"  # the context name of a source that logs in with the pod's service account


class NotServed(Exception):
    """The API does not serve this resource (404 on a list): an optional kind is absent, not an error."""


class Forbidden(InputError):
    """403: the account may not read something (the message says which verb on which resource)."""


class KubeSource:
    """Read-only access to one cluster's API, raw JSON in and out. `calls` counts the requests made."""

    def __init__(
        self,
        api_client: client.ApiClient,
        context: str = "",
        timeout: float = 15.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.api_client = api_client
        self.context = context
        self.timeout = timeout
        self.page_size = page_size
        self.calls = 0
        self.server = api_client.configuration.host

    @classmethod
    def connect(cls, context: str | None = None, timeout: float = 15.0) -> KubeSource:
        """A source for `context` of the kubeconfig (`KUBECONFIG`, else ~/.kube/config), or the pod's
        service account when there is no kubeconfig and the process runs in a cluster."""
        configuration = client.Configuration()  # this source's own: the client's global is never touched
        # A GET that fails to connect is retried once; a read that times out is not (the caller waits once).
        configuration.retries = urllib3.Retry(total=1, connect=1, read=0, status=0, redirect=0)
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
        `kind` and `apiVersion` set on each and without `metadata.managedFields`.

        Pages of `page_size`; when the server expires the continue token (410 Gone) the list starts over,
        so the result is one consistent list, never two halves of different ones. A resource the API
        does not serve (404) raises NotServed.
        """
        spec = kind_of(kind)
        where = f" in namespace {namespace}" if namespace and spec.namespaced else ""
        query = [("limit", self.page_size)] + ([("fieldSelector", field_selector)] if field_selector else [])
        return self._paginate(
            lambda token: self._get(spec.path(namespace), query + ([("continue", token)] if token else [])),
            spec.kind,
            spec.api_version,
            f"list {spec.resource}{_group_note(spec.group)}{where}",
        )

    def _get(self, path: str, query: list[tuple[str, object]]):
        """GET `path` with the source's credentials; the raw response (an ApiException when not 2xx)."""
        request = self.api_client.param_serialize(
            "GET",
            path,
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        response = self.api_client.call_api(*request, _request_timeout=self._timeouts)
        if not 200 <= response.status <= 299:
            response.read()
            raise ApiException.from_response(http_resp=response, body=None, data=None)
        return response.response

    def _paginate(self, request, kind: str, api_version: str, what: str) -> list[dict]:
        with gc_paused():  # the pages already read are not re-scanned while the next is decoded
            return self._pages(request, kind, api_version, what)

    def _pages(self, request, kind: str, api_version: str, what: str) -> list[dict]:
        for _ in range(MAX_RESTARTS + 1):
            items: list[dict] = []
            token = None
            try:
                while True:
                    page = self._json(lambda token=token: request(token), what)
                    for item in page.get("items") or []:
                        # List items omit kind and apiVersion; a bundle's objects carry them.
                        item.setdefault("kind", kind)
                        item.setdefault("apiVersion", api_version)
                        _drop_managed_fields(item)
                        items.append(item)
                    token = (page.get("metadata") or {}).get("continue")
                    if not token:
                        return items
            except _Expired:
                continue  # the snapshot behind the token is gone: start the list again
            except _Missing:
                raise NotServed(what) from None
        raise InputError(
            f"Kubernetes API at {self.server}: could not {what}: the list changed under us "
            f"{MAX_RESTARTS + 1} times (410 Gone); retry, or lower the load on the API server"
        )

    # -- single objects ---------------------------------------------------------------------------------

    def check_namespaces(self, namespaces: list[str]) -> None:
        """Raise InputError naming the closest existing namespaces when one of `namespaces` does not exist.

        Listing pods in a namespace that does not exist returns an empty list, not a 404, so a typo
        would look like a healthy, empty namespace: ask for each namespace first.
        """
        api = client.CoreV1Api(self.api_client)
        for namespace in namespaces:
            dns_label(namespace, "namespace")
            try:
                with self._errors(f"get namespace {namespace}"):
                    self._calls_plus_one()
                    api.read_namespace(
                        namespace, _preload_content=False, _request_timeout=self._timeouts
                    ).close()
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
            return self._json(
                lambda: client.VersionApi(self.api_client).get_code(
                    _preload_content=False, _request_timeout=self._timeouts
                ),
                "get the server version",
            )
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
        api = client.CoreV1Api(self.api_client)
        what = f"get pods/log of {namespace}/{pod} container {container}{' (previous)' if previous else ''}"
        try:
            with self._errors(what):
                self._calls_plus_one()
                response = api.read_namespaced_pod_log(
                    pod,
                    namespace,
                    container=container,
                    previous=previous,
                    tail_lines=tail_lines,
                    limit_bytes=limit_bytes,
                    _preload_content=False,
                    _request_timeout=self._timeouts,
                )
                try:
                    data = _read_at_most(response, limit_bytes)
                finally:
                    response.close()
                    response.release_conn()
        except (_Missing, _BadRequest):
            return None  # no previous instance, or the log is gone with the container
        return data.decode("utf-8", errors="replace")

    # -- plumbing ---------------------------------------------------------------------------------------

    @property
    def _timeouts(self) -> tuple[float, float]:
        return (min(self.timeout, 5.0), self.timeout)

    def _calls_plus_one(self) -> None:
        self.calls += 1

    def _json(self, request, what: str) -> dict:
        with self._errors(what):
            self.calls += 1
            response = request()
            try:
                return json.loads(response.data)
            finally:
                response.release_conn()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn the client's exceptions into one-line InputErrors (or the internal 404/410/400 signals)."""
        try:
            yield
        except ApiException as exc:
            raise self._api_error(exc, what) from None
        except urllib3.exceptions.MaxRetryError as exc:
            raise self._transport_error(exc.reason, what) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._transport_error(exc, what) from None
        except ValueError as exc:  # a body that is not JSON: not an API server
            raise InputError(
                f"Kubernetes API at {self.server}: {what}: the answer is not JSON ({exc})"
            ) from None

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
        message = _status_message(exc.body) or exc.reason or ""
        return InputError(f"Kubernetes API at {self.server}: could not {what}: {status} {_one_line(message)}")

    def _transport_error(self, reason, what: str) -> InputError:
        # NewConnectionError is a ConnectTimeoutError to urllib3: a refused connection is not a slow API.
        timed_out = isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError)
        if timed_out and not isinstance(reason, urllib3.exceptions.NewConnectionError):
            return InputError(
                f"Kubernetes API at {self.server} did not answer within {self.timeout:g} s (trying to {what})"
            )
        text = _one_line(str(reason))
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            text = text.rpartition(": ")[2] or text
        return InputError(f"cannot reach the Kubernetes API at {self.server}: {text}")


class _Expired(Exception):
    """410 Gone: a continue token outlived its snapshot."""


class _Missing(Exception):
    """404 Not Found."""


class _BadRequest(Exception):
    """400: e.g. a previous container log that does not exist."""


def _drop_managed_fields(item: dict) -> None:
    """Leave out `metadata.managedFields`, as kubectl does when it shows an object: which client wrote
    which field, a third or more of a real pod's JSON, and no rule reads it."""
    metadata = item.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)


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


def _read_at_most(response, limit: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024, decode_content=True):
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)


def _status_message(body) -> str:
    try:
        return str(json.loads(body).get("message", ""))
    except (TypeError, ValueError, AttributeError):
        return ""


def _group_note(group: str) -> str:
    return f".{group}" if group else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
