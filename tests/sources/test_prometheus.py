"""The live Prometheus source against a real Prometheus holding the OOM drill's metrics, and failures."""

from __future__ import annotations

import base64
import json
import threading
import time
import tracemalloc
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from incident_lib.errors import InputError
from incident_lib.k8s.objects import parse_time
from incident_lib.metrics.catalogue import SIGNALS, promql
from incident_lib.metrics.frames import response_frame
from incident_lib.sources.prometheus import (
    MAX_ANSWER_BYTES,
    MAX_SAMPLES,
    PARALLEL_QUERIES,
    PrometheusError,
    PrometheusSource,
    display_url,
    duration_seconds,
)
from tests.servers.fault_prometheus import FaultPrometheus
from tests.servers.prometheus import (
    LIMIT,
    MISSING,
    OOM_POD,
    PROMETHEUS,
    PROMTOOL,
    PrometheusServer,
    free_port,
    load_namespace,
    openmetrics_for_canary,
)

START, END = parse_time("2025-12-17T09:35:00Z"), parse_time("2025-12-17T10:05:00Z")


def test_one_query_per_signal_per_namespace_gives_bundle_shaped_bodies(prometheus):
    source = PrometheusSource(prometheus.url)
    fetched = source.fetch(["default", "apps"], START, END)
    assert source.calls == 1 + 2 * len(SIGNALS)  # its configuration, then the catalogue
    body = fetched.metrics["memory_working_set.default"]
    assert body["status"] == "success" and body["data"]["resultType"] == "matrix"
    assert body["query"] == promql("memory_working_set", "default")
    assert (body["start"], body["end"], body["step"]) == (
        "2025-12-17T09:35:00Z",
        "2025-12-17T10:05:00Z",
        "15s",
    )


def test_the_oom_pods_memory_climbs_to_its_limit_and_it_restarts_four_times(prometheus):
    fetched = PrometheusSource(prometheus.url).fetch(["default"], START, END)
    memory = response_frame(fetched.metrics["memory_working_set.default"])
    assert set(memory["pod"]) == {OOM_POD} and str(memory["timestamp"].dt.tz) == "UTC"
    assert memory["value"].max() >= LIMIT
    restarts = response_frame(fetched.metrics["restarts.default"])
    assert restarts["value"].iloc[-1] == 4
    assert response_frame(fetched.metrics["oom_terminations.default"])["value"].max() == 1


def test_both_traffic_profiles_see_the_5xx_and_the_latency(prometheus):
    fetched = PrometheusSource(prometheus.url).fetch(["apps"], START, END)
    for profile in ("http", "istio"):
        errors = response_frame(fetched.metrics[f"{profile}_error_ratio.apps"])
        assert errors["value"].iloc[-1] == pytest.approx(0.12)
        p99 = response_frame(fetched.metrics[f"{profile}_latency_p99.apps"])
        assert 1.0 < p99["value"].iloc[-1] <= 2.5  # seconds in both profiles
        rate = response_frame(fetched.metrics[f"{profile}_request_rate.apps"])
        assert rate["value"].iloc[-1] == pytest.approx(20)  # Istio: one reporter, each request once


def test_a_canarys_5xx_count_against_the_service_it_runs_behind(tmp_path):
    # Service payments routes to workloads payments and payments-v2 (50% 5xx): one series, 25% 5xx
    if not (PROMETHEUS and PROMTOOL):
        pytest.skip(MISSING)
    server = PrometheusServer(tmp_path, openmetrics_for_canary("apps", "payments", canary_error_ratio=0.5))
    try:
        fetched = PrometheusSource(server.url).fetch(["apps"], START, END)
    finally:
        server.stop()
    for signal in ("istio_error_ratio", "istio_request_rate", "istio_latency_p99"):
        result = fetched.metrics[f"{signal}.apps"]["data"]["result"]
        assert [r["metric"] for r in result] == [
            {"destination_service_name": "payments", "destination_service_namespace": "apps"}
        ]
    errors = response_frame(fetched.metrics["istio_error_ratio.apps"])
    assert errors["value"].iloc[-1] == pytest.approx(0.25)
    rate = response_frame(fetched.metrics["istio_request_rate.apps"])
    assert rate["value"].iloc[-1] == pytest.approx(40)  # both workloads, source-reported only


def test_the_step_is_the_scrape_interval_or_coarser_for_long_windows(tmp_path):
    if not (PROMETHEUS and PROMTOOL):
        pytest.skip(MISSING)
    scraped_every_30s = load_namespace("load", 2, START - timedelta(minutes=10), END, step=30)
    server = PrometheusServer(tmp_path, scraped_every_30s, scrape_interval="30s")
    try:
        source = PrometheusSource(server.url)
        assert source.scrape_interval() == 30
        memory = source.fetch(["load"], START, END, signals=("memory_working_set",)).metrics
        two_days = source.fetch(["load"], END - timedelta(days=2), END, signals=("memory_working_set",))
    finally:
        server.stop()
    body = memory["memory_working_set.load"]
    assert body["step"] == "30s"
    assert [len(series["values"]) for series in body["data"]["result"]] == [
        61,
        61,
    ]  # 30 min, each sample once
    assert two_days.step == "720s"  # 2 days in at most 240 points


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("1m", 60), ("1h30m", 5400), ("500ms", 1)])
def test_prometheus_durations_in_whole_seconds(text, seconds):
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "1x", "30s "])
def test_what_is_not_a_prometheus_duration_is_refused(text):
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        duration_seconds(text)


def test_a_signal_with_no_series_is_missing_with_its_reason(prometheus):
    fetched = PrometheusSource(prometheus.url).fetch(["default"], START, END)
    assert "http_request_rate.default" not in fetched.metrics
    assert fetched.missing["http_request_rate.default"] == "no series in the window"


@pytest.mark.parametrize("namespace", ['x"} or vector(1) #', "default,namespace!=", "a" * 64, "Default"])
def test_a_hostile_namespace_never_reaches_prometheus(prometheus, namespace):
    source = PrometheusSource(prometheus.url)
    with pytest.raises(InputError, match="invalid namespace name"):
        source.fetch([namespace], START, END)
    assert source.calls == 0


def test_a_query_prometheus_refuses_is_an_error_naming_its_status(prometheus):
    with pytest.raises(PrometheusError, match=r"HTTP 400: .*parse error"):
        PrometheusSource(prometheus.url).range_query("sum by (", START, END, "15s")


def test_prometheus_down_makes_every_signal_missing_after_one_attempt():
    source = PrometheusSource(f"http://127.0.0.1:{free_port()}", retries=0)
    started = time.monotonic()
    fetched = source.fetch(["default", "apps"], START, END)
    assert fetched.metrics == {} and len(fetched.missing) == 2 * len(SIGNALS)
    assert all("cannot connect (connection refused)" in why for why in fetched.missing.values())
    assert time.monotonic() - started < 2


class _Recorder(BaseHTTPRequestHandler):
    """A stand-in for Prometheus that answers every query with an empty matrix, records paths and
    headers, and may be slow. Without `config` (YAML) it serves no configuration, as Thanos' API does."""

    seen: ClassVar[list] = []
    delay = 0.0
    config_delay: float | None = None  # None: as slow as the queries
    slow_only: str = ""  # when set, only queries whose path holds this wait `delay`; others `other_delay`
    other_delay = 0.0
    config: str | None = None

    def do_GET(self):
        type(self).seen.append((self.path, dict(self.headers)))
        config = self.path == "/api/v1/status/config"
        if config:
            time.sleep(self.delay if self.config_delay is None else self.config_delay)
        else:
            time.sleep(self.delay if self.slow_only in self.path else self.other_delay)
        status, data = 200, {"resultType": "matrix", "result": []}
        if config:
            status, data = (404, {}) if self.config is None else (200, {"yaml": self.config})
        body = json.dumps({"status": "success", "data": data}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    _Recorder.seen, _Recorder.delay, _Recorder.config_delay, _Recorder.config = [], 0.0, None, None
    _Recorder.slow_only, _Recorder.other_delay = "", 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_bearer_token_and_basic_auth_are_sent_on_get_queries(recorder):
    PrometheusSource(recorder, token="s3cret-token").range_query("up", START, END, "15s")
    PrometheusSource(recorder, basic_auth=("sre", "pw")).range_query("up", START, END, "15s")
    (path, bearer), (_, basic) = _Recorder.seen
    assert path.startswith("/api/v1/query_range?query=up&start=1765964100&end=1765965900&step=15s")
    assert bearer["Authorization"] == "Bearer s3cret-token"
    assert basic["Authorization"].startswith("Basic ")


def test_without_prometheus_configuration_the_step_is_15s_and_credentials_go_on_every_request(recorder):
    fetched = PrometheusSource(recorder, token="s3cret-token").fetch(
        ["apps"], START, END, signals=("cpu_usage",)
    )
    assert fetched.step == "15s"
    (config, config_headers), (query, query_headers) = _Recorder.seen
    assert config == "/api/v1/status/config" and "step=15s" in query
    assert config_headers["Authorization"] == query_headers["Authorization"] == "Bearer s3cret-token"


def test_the_step_is_the_global_scrape_interval_not_a_jobs_own(recorder):
    _Recorder.config = (
        "scrape_configs:\n- job_name: kubelet\n  scrape_interval: 5s\n"
        "global:\n  scrape_timeout: 10s\n  scrape_interval: 1m\n"
    )
    assert PrometheusSource(recorder).fetch(["apps"], START, END, signals=("cpu_usage",)).step == "60s"


def test_a_slow_prometheus_is_missing_evidence_not_a_failure(recorder):
    _Recorder.delay = 1.0
    fetched = PrometheusSource(recorder, timeout=0.2).fetch(["default"], START, END)
    assert fetched.metrics == {}
    assert set(fetched.missing.values()) == {f"Prometheus at {recorder}: no answer within 0.2 s"}
    assert len(_Recorder.seen) == 1  # unreachable once: the other signals are not sent to wait again


def test_a_prometheus_too_loaded_to_answer_queries_gets_no_more_after_the_first_timeouts(recorder):
    _Recorder.delay, _Recorder.config_delay = 1.0, 0.0  # its configuration comes at once, queries do not
    fetched = PrometheusSource(recorder, timeout=0.2).fetch(["default", "apps"], START, END)
    assert fetched.metrics == {} and len(fetched.missing) == 2 * len(SIGNALS)
    reasons = set(fetched.missing.values())
    assert f"Prometheus at {recorder}: no answer within 0.2 s" in reasons
    assert f"Prometheus at {recorder}: not sent: 4 queries in a row got no answer within 0.2 s" in reasons
    queries = [path for path, _ in _Recorder.seen if path.startswith("/api/v1/query_range")]
    assert PARALLEL_QUERIES <= len(queries) < 2 * PARALLEL_QUERIES  # those in flight, not one per signal


def test_one_heavy_query_that_times_out_among_answered_ones_stops_nothing(recorder):
    # The catalogue's first query never answers; the others take 0.1 s, so most are still to be sent
    # when the first times out.
    _Recorder.delay, _Recorder.config_delay, _Recorder.other_delay = 1.0, 0.0, 0.1
    _Recorder.slow_only = "container_memory_working_set_bytes"
    fetched = PrometheusSource(recorder, timeout=0.2).fetch(["default"], START, END)
    slow = fetched.missing["memory_working_set.default"]
    assert slow == f"Prometheus at {recorder}: no answer within 0.2 s"
    assert not any("not sent" in why for why in fetched.missing.values())
    queries = [path for path, _ in _Recorder.seen if path.startswith("/api/v1/query_range")]
    assert len(queries) == len(SIGNALS)


def test_a_url_that_is_not_one_is_refused():
    with pytest.raises(InputError, match="expected http"):
        PrometheusSource("prometheus:9090")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://sre:s3cret@prometheus:9090", "http://prometheus:9090"),
        ("https://token@prometheus.example/prom/?x=1", "https://prometheus.example/prom/?x=1"),
        ("http://sre:p@ss@[::1]:9090/", "http://[::1]:9090/"),  # an unescaped @ in the password
        ("http://prometheus:9090/a@b", "http://prometheus:9090/a@b"),  # an @ in the path is no userinfo
        ("http://prometheus.monitoring:9090", "http://prometheus.monitoring:9090"),
    ],
)
def test_a_url_is_shown_without_its_userinfo(url, shown):
    assert display_url(url) == shown


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_shown(recorder):
    source = PrometheusSource(recorder.replace("http://", "http://sre:p%40ss@"), timeout=0.2)
    assert source.url == recorder
    source.range_query("up", START, END, "15s")
    _Recorder.delay = 1.0
    fetched = source.fetch(["apps"], START, END, signals=("cpu_usage",))
    (_, headers), *_ = _Recorder.seen
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"sre:p@ss").decode()
    assert fetched.missing == {"cpu_usage.apps": f"Prometheus at {recorder}: no answer within 0.2 s"}


def test_a_url_that_is_refused_is_named_without_its_credentials():
    with pytest.raises(InputError, match="'ftp://prometheus:9090': expected http") as refused:
        PrometheusSource("ftp://sre:s3cret@prometheus:9090")
    assert "s3cret" not in str(refused.value)


def test_one_collection_keeps_at_most_max_samples_and_says_why_it_stopped():
    # every answer holds one series of ~250,000 samples, under the limit of one answer
    with FaultPrometheus("samples", samples=250_000) as server:
        fetched = PrometheusSource(server.url).fetch(["default"], START, END)
    kept = sum(len(body["data"]["result"][0]["values"]) for body in fetched.metrics.values())
    assert len(fetched.metrics) == MAX_SAMPLES // 250_000 and kept <= MAX_SAMPLES
    over = {why for name, why in fetched.missing.items() if name not in fetched.metrics}
    assert len(over) == 1 and over.pop().endswith(f"left of the {MAX_SAMPLES:,} one collection keeps")


def test_answers_that_never_end_cost_at_most_the_limit_of_the_few_read_at_once():
    with FaultPrometheus("oversize") as server:
        tracemalloc.start()
        try:
            fetched = PrometheusSource(server.url).fetch(["default"], START, END)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert fetched.metrics == {} and len(fetched.missing) == len(SIGNALS)
    assert set(fetched.missing.values()) == {
        f"Prometheus at {server.url}: answer over 16 MiB, not read further"
    }
    assert peak < (PARALLEL_QUERIES + 1) * MAX_ANSWER_BYTES  # not 17 answers' worth kept to the end
