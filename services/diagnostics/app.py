"""The FastAPI app: `/health`, `/ready`, `POST /ask`, `POST /alerts`, the OpenAPI document `/openapi.json`
and Swagger UI at `/docs`, its scripts and styles served from the swagger-ui-bundle-v2 package (no CDN).

Errors are one line of JSON `detail` and never a stack trace: 404 names the closest existing names,
413 a body over the limit, 422 the field that is wrong, 503 the source that does not answer (or, with
Retry-After, too many diagnoses waiting already), and anything unexpected is a 500 whose detail only
names the kind of failure (the server log has the rest). Diagnoses run on a few threads of their own
(backends.DiagnosisPool), so `/health` answers while `/ask` is busy.
`POST /alerts` takes Alertmanager's webhook and answers 202 at once; a queue of workers records the
incident (alerts.py), and a full queue or a store that cannot be written is a 503 (Alertmanager retries).

`uvicorn services.diagnostics.app:app` builds the app from the environment (settings.py);
`create_app(settings)` builds one from explicit settings.
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Body, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from incident_lib.errors import InputError, NotFound
from incident_lib.incidents.alerts import PayloadError, parse_notification
from incident_lib.incidents.record import group_hash
from incident_lib.incidents.respond import respond
from services.diagnostics.alerts import AlertQueue, StoreCheck, responder
from services.diagnostics.backends import BACKENDS, DiagnosisPool, Overloaded, Unavailable
from services.diagnostics.body_limit import BodyLimit
from services.diagnostics.models import (
    ALERT_EXAMPLE,
    EXAMPLES,
    AlertsAccepted,
    AskRequest,
    DiagnosisOut,
    Problem,
    Readiness,
)
from services.diagnostics.settings import Settings, SettingsError, load_settings

log = logging.getLogger("services.diagnostics")

DOCS_ASSETS = "/docs/assets"
RETRY_AFTER_S = "1"  # a diagnosis takes milliseconds: the line is short again a second later

DESCRIPTION = """Deterministic diagnosis of one pod or Service, from a saved incident bundle or the live
cluster: root cause, confidence, the evidence it rests on (with the kubectl command or PromQL query to
look again) and recommendations citing that evidence. Root causes are the stable vocabulary of
docs/design.md."""


def create_app(settings: Settings) -> FastAPI:
    """The API over the source `settings` name; a bundle is read here, once."""
    backend = BACKENDS[settings.source](settings)
    handler = responder(settings)
    store = StoreCheck(handler.store)
    writable, detail = store.check()
    if not writable:
        log.warning("%s", detail)
    queue = AlertQueue(lambda n: respond(n, handler), settings.alert_workers, settings.alert_queue)
    pool = DiagnosisPool(settings.ask_workers, settings.ask_queue)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        await run_in_threadpool(queue.stop)
        await run_in_threadpool(pool.stop)

    app = FastAPI(
        title="incident-lab diagnostics API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(
        BodyLimits, default=settings.max_body_bytes, by_path={"/alerts": settings.alerts_max_body_bytes}
    )
    app.state.backend = backend
    app.state.alerts = queue

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # The input is not echoed back: it may be large, or hold what the caller should not see twice.
        errors = [{"type": e["type"], "loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        detail = f"internal error ({type(exc).__name__}); the server log has the details"
        return JSONResponse({"detail": detail}, status_code=500)

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    @app.get("/health", summary="Liveness: the process answers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        summary="Readiness: every source the answers need answers",
        response_model=Readiness,
        responses={
            503: {"model": Readiness, "description": "A source does not answer: `checks` says which."}
        },
    )
    async def ready() -> JSONResponse:
        checks = await run_in_threadpool(lambda: backend.checks() | {"incident_store": store.check()})
        ok = all(answers for answers, _ in checks.values())
        body = {
            "ready": ok,
            "source": backend.name,
            "checks": {name: {"ok": answers, "detail": detail} for name, (answers, detail) in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.post(
        "/ask",
        summary="Diagnose one pod or Service",
        response_model=DiagnosisOut,
        responses={
            404: {"model": Problem, "description": "No such namespace, pod or Service; the closest names."},
            413: {"model": Problem, "description": "The request body is over the size limit."},
            503: {
                "model": Problem,
                "description": "A source (bundle, Kubernetes API) does not answer, or too many diagnoses "
                "are waiting already (with Retry-After).",
            },
            500: {"model": Problem, "description": "An unexpected failure, in one line."},
        },
    )
    async def ask(request: Annotated[AskRequest, Body(openapi_examples=EXAMPLES)]) -> Response:
        """The Diagnosis JSON of docs/design.md for the pod (`pod_name`) or Service (`service_name`);
        with `include_logs`, the redacted tail of its container logs under `logs`."""
        body = backend.cached(request)
        if body is None:
            try:
                body = await pool.run(backend.ask, request)
            except InputError as exc:
                status = 404 if isinstance(exc, NotFound) else 400
                return JSONResponse({"detail": str(exc)}, status_code=status)
            except Unavailable as exc:
                return JSONResponse({"detail": str(exc)}, status_code=503)
            except Overloaded as exc:
                headers = {"Retry-After": RETRY_AFTER_S}
                return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)
        return Response(body, media_type="application/json")

    @app.post(
        "/alerts",
        summary="Record an incident from Alertmanager's webhook (version 4)",
        status_code=202,
        response_model=AlertsAccepted,
        responses={
            413: {"model": Problem, "description": "The request body is over the size limit."},
            503: {"model": Problem, "description": "The queue is full or the store cannot be written."},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}, "example": ALERT_EXAMPLE}},
            }
        },
    )
    async def alerts(request: Request) -> JSONResponse:
        """Alertmanager's notification of one group: queued, and answered at once. The incident of the
        group (incident-lab incidents list) is opened, updated with alerts that join, or resolved."""
        try:
            notification = parse_notification(json.loads(await request.body()))
        except ValueError as exc:
            return _invalid(("body",), "json_invalid", f"not JSON: {exc}")
        except PayloadError as exc:
            return _invalid(("body", *exc.where), "alert_payload", exc.reason)
        ok, detail = await run_in_threadpool(store.check)
        if not ok:
            return JSONResponse({"detail": detail}, status_code=503)
        if not queue.submit(notification):
            detail = f"{settings.alert_queue} alert groups are waiting already: try again later"
            return JSONResponse({"detail": detail}, status_code=503)
        waiting, _ = queue.counts()
        body = {"queued": True, "group": group_hash(notification.group_key), "waiting": waiting}
        return JSONResponse(body, status_code=202)

    return app


def _invalid(loc: tuple, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"type": kind, "loc": list(loc), "msg": message}]}, status_code=422)


class BodyLimits:
    """`BodyLimit` with a limit per path: Alertmanager's notifications hold whole groups of alerts."""

    def __init__(self, app, default: int, by_path: dict[str, int]) -> None:
        self.default = BodyLimit(app, default)
        self.by_path = {path: BodyLimit(app, limit) for path, limit in by_path.items()}

    async def __call__(self, scope, receive, send) -> None:
        await self.by_path.get(scope.get("path", ""), self.default)(scope, receive, send)


def from_environment() -> FastAPI:
    """The app the environment describes; a bad setting exits 2 with one line, not a traceback."""
    try:
        return create_app(load_settings())
    except SettingsError as exc:
        print(f"diagnostics: invalid setting: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def __getattr__(name: str) -> FastAPI:
    # `uvicorn services.diagnostics.app:app` asks for `app`: built on first use, so importing this module
    # (tests, create_app) reads no environment and no bundle.
    if name == "app":
        globals()["app"] = built = from_environment()
        return built
    raise AttributeError(name)
