"""Where `/ask` gets its answers: a bundle read once, or the live cluster collected per request.

Both answer an `AskRequest` with the Diagnosis JSON as bytes, and report for `/ready` whether each
source they need answers. A name that does not exist is `incident_lib.InputError` (the API answers
404 with the closest names); a source that does not answer is `Unavailable` (503).

Diagnoses run on a `DiagnosisPool`: a few threads off the event loop, so `/health` answers while `/ask`
is busy, and a bounded line waiting for them, past which a request is `Overloaded` (503) at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.diagnose import diagnose_pods, diagnose_service
from incident_lib.errors import InputError, NotFound
from incident_lib.k8s.pod import Pod
from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle
from services.diagnostics.logs import LogReader, logs_section
from services.diagnostics.models import AskRequest
from services.diagnostics.settings import Settings

log = logging.getLogger("services.diagnostics")

Checks = dict[str, tuple[bool, str]]  # source -> (answers, one line saying what was seen)
RETRY_S = 30.0  # a bundle that does not read is read again at most this often (a tar bomb costs seconds)


class Unavailable(Exception):
    """A source the answer needs does not answer (503); the message is one line."""


class Overloaded(Exception):
    """Every diagnosis thread is busy and the line waiting for them is full (503 with Retry-After)."""


class DiagnosisPool:
    """`workers` threads for diagnoses and at most `waiting` calls waiting for one. A thread holding the
    GIL slows the event loop, so there are few; a call past the line is refused rather than queued,
    since a queue without a bound is a stall for everyone behind it."""

    def __init__(self, workers: int, waiting: int) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="ask")
        self._places = threading.BoundedSemaphore(workers + waiting)
        self.capacity = workers + waiting

    async def run(self, call: Callable, *args):
        """`call(*args)` on a pool thread; `Overloaded` at once when the pool and its line are full."""
        if not self._places.acquire(blocking=False):
            raise Overloaded(f"{self.capacity} diagnoses are running or waiting already: try again shortly")
        try:
            future = self._executor.submit(call, *args)
        except BaseException:
            self._places.release()
            raise
        # Released when the call ends, not when its caller stops waiting: a thread still running holds it.
        future.add_done_callback(lambda _: self._places.release())
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Drop the calls still waiting and let the running ones finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def diagnose(snapshot: Snapshot, request: AskRequest) -> Diagnosis:
    """The diagnosis of the request's pod, or of its Service (with the namespace's pods behind it)."""
    if request.pod_name is not None:
        [diagnosis] = diagnose_pods(snapshot, request.namespace, request.pod_name)
        return diagnosis
    return diagnose_service(snapshot, request.namespace, request.service_name)


def subject_pods(snapshot: Snapshot, request: AskRequest) -> tuple[list[Pod], str]:
    """The pods whose logs an answer includes, and why there are none when the list is empty."""
    view = snapshot.view
    if request.pod_name is not None:
        return [p for p in view.pods_in(request.namespace) if p.name == request.pod_name], ""
    service = view.get("Service", request.namespace, request.service_name)
    selector = service.spec.get("selector")
    selected = view.selected_pods(request.namespace, selector) if selector else []
    not_ready = [p for p in selected if not p.condition_is("Ready", "True")]
    if not selector:
        return [], "the Service has no selector (its endpoints are managed by hand): no pod logs to include"
    if not selected:
        return [], "the Service's selector matches no pod: no logs to include"
    if not not_ready:
        return [], f"all {len(selected)} pod(s) of the Service are ready: no logs included"
    return not_ready, ""


def answer(snapshot: Snapshot, request: AskRequest, read: LogReader, tail_lines: int) -> bytes:
    """The JSON body of `/ask`: the diagnosis, plus the logs when asked for."""
    body = diagnose(snapshot, request).to_dict()
    if request.include_logs:
        pods, why = subject_pods(snapshot, request)
        body["logs"] = logs_section(request.namespace, pods, read, tail_lines, why)
    return json.dumps(body, separators=(",", ":")).encode()


class BundleBackend:
    """A saved incident, read once; answers are kept per subject, since a bundle never changes and the
    diagnosis is deterministic (the same request always gets the same bytes)."""

    name = "bundle"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.snapshot: Snapshot | None = None
        self.error = ""
        self._lock = threading.Lock()
        self._answers: dict[tuple, bytes] = {}  # only subjects that exist: bounded by the bundle
        self._retry_at = 0.0
        self.load()

    def load(self) -> None:
        """Read the bundle unless it was read, or failed less than RETRY_S ago; remember why it does not
        read, in one line. Whatever the reader raises, the API keeps serving `/health` and `/ready`."""
        with self._lock:
            if self.snapshot is not None or time.monotonic() < self._retry_at:
                return
            try:
                self.snapshot = read_bundle(self.settings.bundle)
                self.error = ""
            except InputError as exc:
                self.error = _one_line(exc)
            except Exception as exc:  # a reader bug on hostile input: the log has the traceback
                log.error("bundle %s: unexpected error reading it", self.settings.bundle, exc_info=exc)
                kind = type(exc).__name__
                self.error = f"internal error reading it ({kind}); the server log has the details"
            if self.snapshot is None:
                self._retry_at = time.monotonic() + RETRY_S

    def checks(self) -> Checks:
        self.load()  # a bundle mounted after start-up is picked up here
        if self.snapshot is None:
            return {"bundle": (False, self.problem)}
        pods = len(self.snapshot.of_kind("Pod"))
        return {"bundle": (True, f"{self.settings.bundle}: {pods} pods, captured {self.captured_at}")}

    @property
    def problem(self) -> str:
        """Why there is no answer: the bundle and what is wrong with it, in one line."""
        return f"bundle {self.settings.bundle} does not read: {self.error}"

    @property
    def captured_at(self) -> str:
        return str((self.snapshot.manifest if self.snapshot else {}).get("captured_at", ""))

    def cached(self, request: AskRequest) -> bytes | None:
        """The answer already given to this request, if any (no diagnosis runs)."""
        return self._answers.get(_key(request))

    def ask(self, request: AskRequest) -> bytes:
        snapshot = self.snapshot
        if snapshot is None:
            raise Unavailable(self.problem)
        key = _key(request)
        if key not in self._answers:
            self._answers[key] = answer(snapshot, request, snapshot.log, self.settings.log_tail_lines)
        return self._answers[key]


def _key(request: AskRequest) -> tuple:
    return (request.namespace, request.pod_name, request.service_name, request.include_logs)


class LiveBackend:
    """The live cluster and Prometheus, collected for each request with incident_lib's live sources:
    one pod with field selectors, or the Service's namespace in one sweep."""

    name = "live"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._kube = None
        self.error = ""
        self._lock = threading.Lock()
        self.connect()

    def connect(self):
        """The Kubernetes source (kubeconfig or service account), made once; None when it cannot be."""
        from incident_lib.sources.kubernetes import KubeSource

        with self._lock:
            if self._kube is None:
                try:
                    context, timeout = self.settings.kube_context, self.settings.timeout_s
                    self._kube = KubeSource.connect(context, timeout=timeout)
                    self.error = ""
                except InputError as exc:
                    self.error = str(exc)
            return self._kube

    def checks(self) -> Checks:
        return {"kubernetes": self._check_kube(), "prometheus": self._check_prometheus()}

    def _check_kube(self) -> tuple[bool, str]:
        from kubernetes import client

        kube = self.connect()
        if kube is None:
            return False, self.error
        try:
            response = client.VersionApi(kube.api_client).get_code(
                _preload_content=False, _request_timeout=(3.0, 5.0)
            )
            version = json.loads(response.data).get("gitVersion", "?")
        except Exception as exc:  # any failure means "does not answer": say what it was, in one line
            return False, f"Kubernetes API at {kube.server} does not answer: {_one_line(exc)}"
        return True, f"Kubernetes API at {kube.server} answers (version {version})"

    def _check_prometheus(self) -> tuple[bool, str]:
        from incident_lib.sources.prometheus import PrometheusError, PrometheusSource

        prometheus = PrometheusSource.from_environment(self.settings.prometheus_url, timeout=5.0)
        url = prometheus.url  # without the URL's credentials, if it has any: /ready is read by anyone
        try:
            prometheus.check()
        except PrometheusError as exc:
            return False, f"Prometheus at {url} does not answer: {_one_line(exc)}"
        finally:
            prometheus.close()
        return True, f"Prometheus at {url} answers"

    def cached(self, request: AskRequest) -> bytes | None:
        return None  # a live cluster changes: every request collects again

    def ask(self, request: AskRequest) -> bytes:
        from incident_lib.sources.live import collect
        from incident_lib.sources.prometheus import PrometheusSource

        kube = self.connect()
        if kube is None:
            raise Unavailable(self.error)
        prometheus = PrometheusSource.from_environment(
            self.settings.prometheus_url, timeout=self.settings.timeout_s
        )
        try:
            try:
                snapshot = collect(
                    kube, [request.namespace], prometheus, self.settings.window, pod=request.pod_name
                )
            except InputError as exc:
                if isinstance(exc, NotFound):
                    raise
                raise Unavailable(str(exc)) from None
            return answer(snapshot, request, _live_logs(snapshot, kube), self.settings.log_tail_lines)
        finally:
            prometheus.close()


def _live_logs(snapshot: Snapshot, kube) -> LogReader:
    """Logs the collection kept (unhealthy containers, already redacted), else asked of the API."""

    def read(namespace: str, pod: str, container: str, previous: bool) -> str | None:
        text = snapshot.log(namespace, pod, container, previous)
        if text is None:
            try:
                text = kube.log(namespace, pod, container, previous)
            except InputError:
                return None
        return text

    return read


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


BACKENDS: dict[str, Callable[[Settings], BundleBackend | LiveBackend]] = {
    "bundle": BundleBackend,
    "live": LiveBackend,
}
