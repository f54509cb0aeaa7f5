"""Live Prometheus through `prometheus-api-client`: one range query per catalogue signal per namespace.

The step of the range queries is Prometheus' own scrape interval (read from its configuration), or
coarser for long windows: a finer step only repeats each sample. Each answer is kept as the HTTP API's
response body plus the `query`, `start`, `end` and `step` that produced it, exactly what a bundle's
`metrics/<signal>.<namespace>.json` holds. A Prometheus that is down, slow or answers with nothing
never fails a diagnosis: the signal is left out (the diagnosis lists it as missing evidence) and the
reason is kept for the manifest.
"""

from __future__ import annotations

import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from incident_lib.durations import parse_duration
from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.objects import format_time
from incident_lib.metrics.catalogue import SIGNALS, promql

PARALLEL_QUERIES = 4  # Prometheus evaluates queries in parallel; a few at once, not a flood

MAX_POINTS = 240  # per series: enough to see a memory ramp, small enough for 500 pods per namespace

DEFAULT_SCRAPE_INTERVAL = 15  # seconds, a common one: the step's floor when Prometheus does not say its own


@dataclass
class Fetched:
    """The step the range queries used, responses by `<signal>.<namespace>`, and why each missing one
    is missing."""

    step: str
    metrics: dict[str, dict] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class PrometheusSource:
    """Range queries against one Prometheus. `calls` counts the HTTP requests answered (retries included)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        verify_tls: bool = True,
        timeout: float = 15.0,
        retries: int = 2,
    ) -> None:
        if not re.match(r"^https?://[^\s/]+", url or ""):
            raise InputError(f"Prometheus URL {url!r}: expected http(s)://host[:port][/path]")
        self.url = url.rstrip("/")
        self.calls = 0
        self._lock = threading.Lock()
        self._session = session = requests.Session()
        # With a session of our own the client ignores `disable_ssl`: set verification on the session.
        session.verify = verify_tls
        session.hooks["response"].append(self._count)
        # GET only: the client sends POST queries in the URL as well, and urllib3 does not retry POST.
        retry = Retry(
            total=retries,
            connect=retries,
            read=0,
            status=retries,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self._client = PrometheusConnect(
            url=self.url,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            auth=basic_auth,
            session=session,
            retry=retry,
            timeout=timeout,
            method="GET",
        )
        self.timeout = timeout

    @classmethod
    def from_environment(cls, url: str, verify_tls: bool = True, timeout: float = 15.0) -> PrometheusSource:
        """A source for `url` with credentials from PROMETHEUS_TOKEN (bearer) or PROMETHEUS_USER and
        PROMETHEUS_PASSWORD (basic): never from arguments, which shell histories and executed notebooks
        record."""
        user, password = os.environ.get("PROMETHEUS_USER"), os.environ.get("PROMETHEUS_PASSWORD")
        return cls(
            url,
            token=os.environ.get("PROMETHEUS_TOKEN"),
            basic_auth=(user, password or "") if user else None,
            verify_tls=verify_tls,
            timeout=timeout,
        )

    def _count(self, response, *args, **kwargs) -> None:
        retries = getattr(response.raw, "retries", None)
        with self._lock:  # queries run on a few threads
            self.calls += 1 + len(retries.history if retries else ())

    def close(self) -> None:
        self._client.close()

    def range_query(self, query: str, start: datetime, end: datetime, step: str) -> dict:
        """The response body of one range query, with the query and its range; raises PrometheusError."""
        result = self._answer(lambda: self._client.custom_query_range(query, start, end, step))
        return {
            "status": "success",
            "data": {"resultType": "matrix", "result": result},
            "query": query,
            "start": format_time(start),
            "end": format_time(end),
            "step": step,
        }

    def scrape_interval(self) -> int | None:
        """Seconds between scrapes in Prometheus' global configuration, or None when it does not say (an
        API in front of it, such as Thanos' or Mimir's, serves no configuration); raises PrometheusError
        when it does not answer at all."""
        response = self._answer(
            lambda: self._session.get(
                f"{self.url}/api/v1/status/config",
                headers=self._client.headers,
                auth=self._client.auth,
                timeout=self.timeout,
            )
        )
        if response.status_code != 200:
            return None
        try:
            match = _GLOBAL_SCRAPE_INTERVAL.search(response.json()["data"]["yaml"])
            return duration_seconds(match.group(1)) if match else None
        except (ValueError, KeyError, TypeError):
            return None

    def check(self) -> None:
        """Raise PrometheusError unless Prometheus answers an instant query (`vector(1)`)."""
        self._answer(lambda: self._client.custom_query("vector(1)"))

    def active_targets(self) -> list[dict]:
        """Prometheus' active scrape targets (`/api/v1/targets?state=active`); raises PrometheusError."""
        return self._answer(lambda: self._client.get_targets(state="active")["activeTargets"])

    def _answer(self, call):
        """The result of one client call, its failures turned into PrometheusError."""
        try:
            return call()
        except PrometheusApiClientException as exc:
            raise PrometheusError(_api_message(str(exc))) from None
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.Timeout) or _timed_out(exc):
                raise PrometheusError(f"no answer within {self.timeout:g} s", unreachable=True) from None
            raise PrometheusError(f"cannot connect ({_reason(exc)})", unreachable=True) from None
        except requests.Timeout:
            raise PrometheusError(f"no answer within {self.timeout:g} s", unreachable=True) from None
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise PrometheusError(f"unexpected answer ({type(exc).__name__})") from None

    def fetch(
        self,
        namespaces: list[str],
        start: datetime,
        end: datetime,
        step: str | None = None,
        signals: tuple[str, ...] = tuple(SIGNALS),
        progress=None,
    ) -> Fetched:
        """Every signal of every namespace: one query each, never one per pod, a few at a time.

        Prometheus' configuration is read first, for the step (when none is given) and to learn whether
        Prometheus answers at all: when it does not, no query is sent. A Prometheus that answers that
        light request but is too loaded to answer queries gets no more once PARALLEL_QUERIES in a row went
        unanswered (each would wait for the same timeout); one heavy query that times out among answered
        ones stops nothing. A signal that fails or returns no series is left out and its reason recorded.
        Results are kept in catalogue order, whatever order they arrive in.
        """
        names = [
            (f"{signal}.{namespace}", promql(signal, namespace))
            for namespace in namespaces
            for signal in signals
        ]
        try:
            interval = self.scrape_interval()
        except PrometheusError as down:
            fetched = Fetched(step or step_for(start, end))
            fetched.missing = {name: f"Prometheus at {self.url}: {down}" for name, _ in names}
            if progress is not None:
                progress.update(len(names))
            return fetched
        fetched = Fetched(step or step_for(start, end, interval or DEFAULT_SCRAPE_INTERVAL))

        unanswered: list[PrometheusError] = []  # queries in a row that got no answer

        def ask(item: tuple[str, str]) -> tuple[str, dict | PrometheusError]:
            name, query = item
            if len(unanswered) >= PARALLEL_QUERIES:
                last = unanswered[-1]
                return name, PrometheusError(f"not sent: {PARALLEL_QUERIES} queries in a row got {last}")
            try:
                answer = self.range_query(query, start, end, fetched.step)
            except PrometheusError as exc:
                if exc.unreachable:
                    unanswered.append(exc)
                return name, exc
            unanswered.clear()
            return name, answer

        outcomes = []
        with gc_paused(), ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
            for outcome in pool.map(ask, names):
                outcomes.append(outcome)
                if progress is not None:
                    progress.update(1)
        for name, outcome in outcomes:
            if isinstance(outcome, PrometheusError):
                fetched.missing[name] = f"Prometheus at {self.url}: {outcome}"
            elif not outcome["data"]["result"]:
                fetched.missing[name] = "no series in the window"
            else:
                fetched.metrics[name] = outcome
        return fetched


class PrometheusError(Exception):
    """A query that did not give an answer; `unreachable` when Prometheus did not answer (in time)."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def step_for(start: datetime, end: datetime, scrape_interval: int = DEFAULT_SCRAPE_INTERVAL) -> str:
    """The query step for a window: the scrape interval, or coarser so a series has at most MAX_POINTS."""
    seconds = (end - start) / timedelta(seconds=1)
    return f"{max(scrape_interval, math.ceil(seconds / MAX_POINTS))}s"


def duration_seconds(text: str) -> int:
    """Whole seconds (at least 1) of a Prometheus duration such as `30s`, `1m` or `1h30m`."""
    return max(1, round(parse_duration(text).total_seconds()))


# In the `global:` block, not a job's own. The configuration can be megabytes of YAML (a job per
# ServiceMonitor): one line is found rather than the whole parsed.
_GLOBAL_SCRAPE_INTERVAL = re.compile(r"^global: *\n(?: +.*\n)*? +scrape_interval: *(\S+)", re.M)


def _api_message(text: str) -> str:
    match = re.search(r'"error":"((?:[^"\\]|\\.)*)"', text)
    status = re.search(r"HTTP Status Code (\d+)", text)
    detail = match.group(1) if match else text[:200]
    return f"HTTP {status.group(1)}: {detail}" if status else detail


def _timed_out(exc: requests.ConnectionError) -> bool:
    """A read timeout that exhausted the retries reaches us as a ConnectionError wrapping it."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, ReadTimeoutError)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    for known in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if known in text:
            return known.lower()
    return text[-120:]
