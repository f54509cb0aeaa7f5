"""Live Prometheus through `prometheus-api-client`: one range query per catalogue signal per namespace.

The step of the range queries is Prometheus' own scrape interval (read from its configuration), or
coarser for long windows: a finer step only repeats each sample. Each answer is kept as the HTTP API's
response body plus the `query`, `start`, `end` and `step` that produced it, exactly what a bundle's
`metrics/<signal>.<namespace>.json` holds. A Prometheus that is down, slow or answers with nothing
never fails a diagnosis: the signal is left out (the diagnosis lists it as missing evidence) and the
reason is kept for the manifest. Nor does one that answers badly: a series with infinite, non-numeric or
mistimed samples is left out with its reason (NaN samples are dropped, the rest of their series kept),
an answer that is not a matrix is a missing signal, no answer is read beyond MAX_ANSWER_BYTES or the
timeout, and one of more than MAX_ANSWER_SAMPLES, or of more samples than are left of MAX_SAMPLES, is
not parsed: what is stored is what a bundle reader reads, in bounded memory.
Credentials in the URL (`http://user:pass@host`) are used, never shown: `url` is `display_url(url)`.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

import requests
from prometheus_api_client import PrometheusConnect
from urllib3.exceptions import HTTPError, ReadTimeoutError
from urllib3.util.retry import Retry

from incident_lib.durations import parse_duration
from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.objects import format_time
from incident_lib.metrics.catalogue import SIGNALS, promql
from incident_lib.metrics.frames import readable_series

PARALLEL_QUERIES = 4  # Prometheus evaluates queries in parallel; a few at once, not a flood

MAX_POINTS = 240  # per series: enough to see a memory ramp, small enough for 500 pods per namespace

DEFAULT_SCRAPE_INTERVAL = 15  # seconds, a common one: the step's floor when Prometheus does not say its own

# 500 pods of 2 containers answer a query of 241 points in ~8 MiB: twice that is not a namespace's.
MAX_ANSWER_BYTES = 16 << 20
MAX_ANSWER_SAMPLES = 300_000  # in one answer: 500 pods of 2 containers, 241 points each, are 241,000
# Samples kept by one source (one collection): ~200 bytes each once parsed, so ~300 MiB.
MAX_SAMPLES = 1_500_000


@dataclass
class Fetched:
    """The step the range queries used, responses by `<signal>.<namespace>`, and why each missing one
    is missing or which of its series were left out."""

    step: str
    metrics: dict[str, dict] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class PrometheusSource:
    """Range queries against one Prometheus at `url` (shown without credentials). `calls` counts the HTTP
    requests answered (retries included)."""

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
            raise InputError(
                f"Prometheus URL {display_url(url or '')!r}: expected http(s)://host[:port][/path]"
            )
        if token is None and basic_auth is None:
            basic_auth = _userinfo(url)
        self.url = display_url(url).rstrip("/")
        self.calls = 0
        self._samples_left = MAX_SAMPLES
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
        record. Userinfo in `url` still works, as in any client, and is never shown."""
        user, password = os.environ.get("PROMETHEUS_USER"), os.environ.get("PROMETHEUS_PASSWORD")
        return cls(
            url,
            token=os.environ.get("PROMETHEUS_TOKEN"),
            basic_auth=(user, password or "") if user else None,
            verify_tls=verify_tls,
            timeout=timeout,
        )

    @property
    def _at(self) -> str:
        return f"Prometheus at {self.url}"

    def _count(self, response, *args, **kwargs) -> None:
        retries = getattr(response.raw, "retries", None)
        with self._lock:  # queries run on a few threads
            self.calls += 1 + len(retries.history if retries else ())

    def close(self) -> None:
        self._client.close()

    def range_query(self, query: str, start: datetime, end: datetime, step: str) -> dict:
        """The response body of one range query with the query and its range, holding the series a
        diagnosis can read (`fetch` also says why it left out the others). Raises PrometheusError for
        no answer, an error, or an answer over the limits of size."""
        return self._range_answer(query, start, end, step)[0]

    def _range_answer(self, query: str, start: datetime, end: datetime, step: str) -> tuple[dict, list[str]]:
        """`range_query`'s body, and a line per series left out of it (see `readable_series`)."""
        params = {"query": query, "start": round(start.timestamp()), "end": round(end.timestamp())}
        body = self._get("/api/v1/query_range", {**params, "step": step})
        self._keep(body.count(b"["))  # each sample is a list: at least as many brackets as samples
        answer = _decoded(body)
        try:
            result, left_out = readable_series(answer.get("data") if isinstance(answer, dict) else None)
        except ValueError as exc:
            raise PrometheusError(str(exc)) from None
        return {
            "status": "success",
            "data": {"resultType": "matrix", "result": result},
            "query": query,
            "start": format_time(start),
            "end": format_time(end),
            "step": step,
        }, left_out

    def scrape_interval(self) -> int | None:
        """Seconds between scrapes in Prometheus' global configuration, or None when it does not say (an
        API in front of it, such as Thanos' or Mimir's, serves no configuration); raises PrometheusError
        when it does not answer at all."""
        try:
            config = _decoded(self._get("/api/v1/status/config"))["data"]["yaml"]
            match = _GLOBAL_SCRAPE_INTERVAL.search(config)
            return duration_seconds(match.group(1)) if match else None
        except PrometheusError as exc:
            if exc.unreachable:
                raise
            return None
        except (ValueError, KeyError, TypeError):
            return None

    def check(self) -> None:
        """Raise PrometheusError unless Prometheus answers an instant query (`vector(1)`)."""
        self._get("/api/v1/query", {"query": "vector(1)"})

    def active_targets(self) -> list[dict]:
        """Prometheus' active scrape targets (`/api/v1/targets?state=active`); raises PrometheusError."""
        try:
            return _decoded(self._get("/api/v1/targets", {"state": "active"}))["data"]["activeTargets"]
        except (KeyError, TypeError) as exc:
            raise PrometheusError(f"unexpected answer ({type(exc).__name__})") from None

    def alert_rules(self) -> dict:
        """The alerting rules Prometheus has loaded (`/api/v1/rules?type=alert`), decoded; raises
        PrometheusError."""
        return _decoded(self._get("/api/v1/rules", {"type": "alert"}))

    def _get(self, path: str, params: dict | None = None) -> bytes:
        """The body of a GET answered 200, through the client's session, with its credentials. Raises
        PrometheusError for any other status, no answer, and a body over MAX_ANSWER_BYTES or not read
        whole within the timeout (a server dripping bytes would hold every read under it)."""
        no_answer = PrometheusError(f"no answer within {self.timeout:g} s", unreachable=True)
        try:
            with self._session.get(
                f"{self.url}{path}",
                params=params,
                headers=self._client.headers,
                auth=self._client.auth,
                timeout=self.timeout,
                stream=True,
            ) as response:
                body = self._body(response)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.Timeout) or _timed_out(exc):
                raise no_answer from None
            raise PrometheusError(f"cannot connect ({_reason(exc)})", unreachable=True) from None
        except (requests.Timeout, ReadTimeoutError):
            raise no_answer from None
        except (requests.RequestException, HTTPError) as exc:
            raise PrometheusError(f"answer cut short ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise PrometheusError(_status_message(response.status_code, body))
        return body

    def _body(self, response: requests.Response) -> bytes:
        """A streamed response's body, read as it comes: at most MAX_ANSWER_BYTES, within the timeout."""
        deadline = time.monotonic() + self.timeout
        chunks, size = [], 0
        while chunk := response.raw.read1(1 << 16, decode_content=True):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise PrometheusError(f"answer over {MAX_ANSWER_BYTES >> 20} MiB, not read further")
            if time.monotonic() > deadline:
                raise PrometheusError(f"no whole answer within {self.timeout:g} s", unreachable=True)
        return b"".join(chunks)

    def _keep(self, samples: int) -> None:
        """Count an answer's `samples` against MAX_SAMPLES; PrometheusError when they are more than one
        answer may hold or than are left."""
        if samples > MAX_ANSWER_SAMPLES:
            raise PrometheusError(
                f"answer of up to {samples:,} samples, over the {MAX_ANSWER_SAMPLES:,} of one answer"
            )
        with self._lock:
            if samples > self._samples_left:
                raise PrometheusError(
                    f"answer of up to {samples:,} samples, over the {self._samples_left:,} left of the "
                    f"{MAX_SAMPLES:,} one collection keeps"
                )
            self._samples_left -= samples

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
        ones stops nothing. A signal that fails or returns no readable series is left out and its reason
        recorded, as are the series left out of a signal kept. Results are kept in catalogue order,
        whatever order they arrive in.
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
            fetched.missing = {name: f"{self._at}: {down}" for name, _ in names}
            if progress is not None:
                progress.update(len(names))
            return fetched
        fetched = Fetched(step or step_for(start, end, interval or DEFAULT_SCRAPE_INTERVAL))

        unanswered: list[PrometheusError] = []  # queries in a row that got no answer

        def ask(item: tuple[str, str]) -> tuple[str, tuple[dict, list[str]] | PrometheusError]:
            name, query = item
            if len(unanswered) >= PARALLEL_QUERIES:
                last = unanswered[-1]
                return name, PrometheusError(f"not sent: {PARALLEL_QUERIES} queries in a row got {last}")
            try:
                answer = self._range_answer(query, start, end, fetched.step)
            except PrometheusError as exc:
                exc.with_traceback(None)  # kept until the end: its frames would keep what was read
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
                fetched.missing[name] = f"{self._at}: {outcome}"
                continue
            body, left_out = outcome
            if body["data"]["result"]:
                fetched.metrics[name] = body
            if left_out:
                fetched.missing[name] = f"{self._at}: {_left_out(left_out)}"
            elif not body["data"]["result"]:
                fetched.missing[name] = "no series in the window"
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


def display_url(url: str) -> str:
    """`url` without its userinfo (`http://user:pass@host/` shows as `http://host/`): what a manifest,
    a report or a log may say of it."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1", url)


def _userinfo(url: str) -> tuple[str, str] | None:
    """The basic-auth user and password written in `url`, if any."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return (unquote(parts.username), unquote(parts.password or "")) if parts.username else None


def _decoded(body: bytes):
    """The JSON document of an answer's body; PrometheusError when it is not one."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise PrometheusError("unexpected answer (not JSON)") from None


def _status_message(status: int, body: bytes) -> str:
    """`HTTP <status>: <Prometheus' error, or the start of the body>`."""
    try:
        detail = json.loads(body)["error"]
    except (ValueError, RecursionError, KeyError, TypeError):
        detail = body[:200].decode("utf-8", errors="replace")
    return f"HTTP {status}: {' '.join(str(detail).split())[:200]}"


def _left_out(reasons: list[str]) -> str:
    """One line for the series left out of an answer: the first few, and how many more."""
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return f"{len(reasons)} series left out: {shown}"


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
