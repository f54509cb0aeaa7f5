"""HTTP metrics in the names the PromQL catalogue and the PrometheusRule expect.

- `http_requests_total{service, route, method, status}`: counter, for rates and the 5xx ratio.
- `http_request_duration_seconds{service, route}`: histogram, buckets from 5 ms to 10 s so p50,
  p95 and p99 are meaningful with `histogram_quantile`.
- `process_resident_memory_bytes` and friends from prometheus_client's process collector.

The route label is the route template (`/api/users`), never the raw path, to bound cardinality.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import generate_latest
from starlette.requests import Request
from starlette.responses import Response

LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"
CallNext = Callable[[Request], Awaitable[Response]]


class HttpMetrics:
    """One service's metrics, in a registry of its own, plus the middleware that records them."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self._requests = Counter(
            "http_requests",
            "HTTP requests handled, by route template, method and status code.",
            ["service", "route", "method", "status"],
            registry=self.registry,
        )
        self._duration = Histogram(
            "http_request_duration_seconds",
            "Time to handle an HTTP request, by route template.",
            ["service", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record one handled request."""
        self._requests.labels(self.service, route, method, str(status)).inc()
        self._duration.labels(self.service, route).observe(seconds)

    async def middleware(self, request: Request, call_next: CallNext) -> Response:
        """Time every request and count it by route template and status (500 if the handler raised)."""
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            self.observe(
                getattr(route, "path", UNMATCHED_ROUTE), request.method, status, time.perf_counter() - started
            )

    def exposition(self) -> Response:
        """The `/metrics` response in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
