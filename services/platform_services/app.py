"""The app factory: one FastAPI app per service name, sharing probes, metrics and faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse, Response

from platform_services.fanout import fan_out
from platform_services.faults import FaultInjector
from platform_services.metrics import HttpMetrics
from platform_services.settings import BACKEND, LEAF_RESOURCES, Settings


def _leaf_router(resource: str) -> APIRouter:
    """The business route of a leaf service: a small, fixed list of its resource."""
    router = APIRouter()

    @router.get(f"/api/{resource}")
    async def list_items() -> list[dict[str, str | int]]:
        """A fixed list, so callers and tests can check what came back."""
        return [{"id": i, "name": f"{resource}-{i}"} for i in range(1, 4)]

    return router


def _backend_router(settings: Settings) -> APIRouter:
    """backend-api's business route: a summary assembled from the three downstream services."""
    router = APIRouter()

    @router.get("/api/summary")
    async def summary() -> JSONResponse:
        """Each downstream's answer or error; 502 if any of them failed."""
        async with httpx.AsyncClient(timeout=settings.downstream_timeout_s) as client:
            outcomes = await fan_out(client, settings.downstreams)
        body = {o.service: {"status": o.status, "data": o.body, "error": o.error} for o in outcomes}
        return JSONResponse(body, status_code=200 if all(o.ok for o in outcomes) else 502)

    return router


def create_app(settings: Settings) -> FastAPI:
    """Build the app of `settings.service`: probes, `/metrics`, and its fault-injected API routes."""
    metrics = HttpMetrics(settings.service)
    state = {"ready": False}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["ready"] = True
        yield
        state["ready"] = False

    app = FastAPI(title=settings.service, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.middleware("http")(metrics.middleware)

    @app.get("/health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": settings.service}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        """Readiness: start-up has finished and the service accepts traffic."""
        code = 200 if state["ready"] else 503
        return JSONResponse({"ready": state["ready"], "service": settings.service}, status_code=code)

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        """Prometheus scrape endpoint."""
        return metrics.exposition()

    router = (
        _backend_router(settings)
        if settings.service == BACKEND
        else _leaf_router(LEAF_RESOURCES[settings.service])
    )
    app.include_router(router, dependencies=[Depends(FaultInjector(settings.faults))])
    return app
