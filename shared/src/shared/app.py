"""The application factory every service uses, so all three behave the same at their edges.

It wires: settings, the database engine (created in the lifespan, disposed at shutdown), token verification,
problem details for every error, request ids and the access log, metrics, ``/healthz``, ``/readyz``,
``/metrics`` and ``GET /v1/whoami``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import Response

from shared import clock
from shared.auth import (
    PUBLIC,
    Admin,
    AnyUser,
    JwksFileSource,
    JwksUrlSource,
    KeySource,
    TokenVerifier,
    is_permission_dependency,
)
from shared.concurrency import handle_stale_data
from shared.database import DATABASE_UNAVAILABLE_ERRORS, Database, handle_data_error
from shared.early_auth import AuthenticateBeforeBody
from shared.edge import check_edge
from shared.http_client import create_http_client
from shared.metrics import READY, MetricsMiddleware, forget_this_worker, metrics_response
from shared.migrations import current_revision, head_revision
from shared.openapi import problem_openapi
from shared.problems import (
    Forbidden,
    Problem,
    install_problem_handlers,
    problem_response,
    problem_responses,
    problem_type,
)
from shared.request_context import RequestContextMiddleware
from shared.settings import ServiceSettings
from shared.tracing import add_tracing, tracer_provider

OPERATIONAL_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
READINESS_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str
    service: str


class Readiness(Health):
    database: str
    migration: str | None


class WhoAmI(BaseModel):
    subject: str
    roles: list[str]
    org_unit: str | None
    claims: dict[str, Any]


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime | None = Field(description="The moment to run from; null: back to the wall clock")


class ClockOut(BaseModel):
    now: dt.datetime
    today: dt.date
    adjustable: bool
    set: bool


class ClockFixed(Forbidden):
    slug = "clock-fixed"
    title = "The clock cannot be set here"


def key_source_for(settings: ServiceSettings) -> KeySource:
    if settings.jwks_file is not None:
        return JwksFileSource(settings.jwks_file)
    assert settings.jwks_url is not None  # noqa: S101 - the settings validator requires one of them
    return JwksUrlSource(
        settings.jwks_url,
        cache_seconds=settings.jwks_cache_seconds,
        client=create_http_client(
            timeout_seconds=settings.http_timeout_seconds, retries=settings.http_retries
        ),
    )


def _operations_router(settings: ServiceSettings, script_location: str) -> APIRouter:
    router = APIRouter(tags=["operations"], dependencies=[PUBLIC])
    service = settings.service_name
    head = head_revision(script_location)

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> Health:
        return Health(status="ok", service=service)

    @router.get(
        "/readyz",
        summary="The database answers and its schema is at the latest migration",
        responses={503: {"model": Problem, "description": "Not ready"}},
    )
    async def readyz(request: Request) -> Response:
        database: Database = request.app.state.database
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                revision = await current_revision(connection, settings.db_schema)
        except Exception as exc:
            READY.labels(service).set(0)
            return problem_response(
                503,
                title="Not ready",
                type_=problem_type("not-ready"),
                detail=f"The database cannot be reached ({type(exc).__name__}).",
                instance="/readyz",
                service=service,
                database="unreachable",
            )
        if revision != head:
            READY.labels(service).set(0)
            return problem_response(
                503,
                title="Not ready",
                type_=problem_type("not-ready"),
                detail=f"The schema {settings.db_schema!r} is at migration {revision}, expected {head}.",
                instance="/readyz",
                service=service,
                database="ok",
                migration=revision,
            )
        READY.labels(service).set(1)
        body = Readiness(status="ready", service=service, database="ok", migration=revision)
        return JSONResponse(body.model_dump())

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return metrics_response()

    return router


def _clock_router(settings: ServiceSettings) -> APIRouter:
    """``/internal/v1/clock`` (the gateway never routes ``/internal/``): read the service's clock, and set it
    to another moment where ``<SERVICE>_CLOCK_ADJUSTABLE`` allows it (never in production)."""
    router = APIRouter(tags=["operations"])

    def state() -> ClockOut:
        return ClockOut(
            now=clock.now(),
            today=clock.today(),
            adjustable=settings.clock_adjustable,
            set=clock.is_set(),
        )

    @router.get("/internal/v1/clock", summary="The service's now and today (admin)")
    async def read_clock(principal: Admin) -> ClockOut:
        return state()

    @router.post(
        "/internal/v1/clock",
        summary="Run the clock from another moment, or the wall clock again (admin; only where adjustable)",
        responses=problem_responses(ClockFixed),
    )
    async def set_clock(principal: Admin, body: ClockIn) -> ClockOut:
        # Opt-in, so that a deployment that forgets its environment does not fail open.
        if not settings.clock_adjustable:
            raise ClockFixed(
                f"This service runs on the wall clock ({settings.env_name('clock_adjustable')} is not set)."
            )
        if body.at is None:
            clock.reset()
        else:
            clock.set_to(body.at)
        return state()

    return router


whoami_router = APIRouter(tags=["identity"])


@whoami_router.get("/v1/whoami", summary="The caller's token claims, as this service understood them")
async def whoami(principal: AnyUser) -> WhoAmI:
    return WhoAmI(
        subject=principal.subject,
        roles=sorted(principal.roles),
        org_unit=principal.org_unit,
        claims=dict(principal.claims),
    )


_frozen = False


def _freeze_startup_objects() -> None:
    """Move what start-up made (modules, classes, the app, the seeds' constants: some 180,000 objects) out
    of the collector's sight, once per process: a full collection otherwise walks them all, 100-180 ms on
    this machine, every few requests that allocate much (a block ranking's p95 of 180 ms against a p50 of
    25 ms; a report's hundred thousand values; docs/benchmarks.md). What requests make is still collected."""
    global _frozen  # noqa: PLW0603 - once per process, whichever app starts first
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str,
    description: str,
    script_location: str,
    routers: Iterable[APIRouter] = (),
    lifespan_extension: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """The service's app; ``lifespan_extension`` runs inside the shared lifespan (database ready)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The engine connects lazily: a service starts (and answers /readyz 503) while its database is down.
        app.state.database = Database(
            settings.database_url.get_secret_value(),
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            connect_timeout=settings.db_connect_timeout_seconds,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            application_name=settings.service_name,
        )
        if settings.clock_at is not None:
            clock.set_to(settings.clock_at)
        key_source = key_source_for(settings)
        app.state.token_verifier = TokenVerifier(
            key_source,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway_seconds=settings.jwt_leeway_seconds,
            roles_claim=settings.jwt_roles_claim,
        )
        _freeze_startup_objects()
        try:
            if lifespan_extension is None:
                yield
            else:
                async with lifespan_extension(app):
                    yield
        finally:
            await key_source.aclose()
            await app.state.database.dispose()
            forget_this_worker()

    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        # Clients reach every service through the gateway, which adds this prefix.
        servers=[{"url": "/api", "description": "through the gateway"}],
    )
    app.state.settings = settings
    # Each operation's document lists the statuses the platform's conventions make it answer (problem+json).
    app.openapi = problem_openapi(app, skip=OPERATIONAL_PATHS)  # type: ignore[method-assign]
    install_problem_handlers(app, unavailable=DATABASE_UNAVAILABLE_ERRORS)
    app.add_exception_handler(StaleDataError, handle_stale_data)
    app.add_exception_handler(DBAPIError, handle_data_error)
    app.include_router(_operations_router(settings, script_location))
    for router in (whoami_router, _clock_router(settings), *routers):
        app.include_router(router, dependencies=[Depends(check_edge)])
    # Innermost: a guarded route's caller is authenticated before the body is read (shared.early_auth).
    app.add_middleware(AuthenticateBeforeBody)
    app.add_middleware(MetricsMiddleware, service=settings.service_name, skip_paths=OPERATIONAL_PATHS)
    tracing = tracer_provider(settings.service_name, settings.traces_endpoint)
    add_tracing(app, tracing, skip_paths=OPERATIONAL_PATHS)
    # Added last, so it is the outermost middleware and sees every response (see its docstring).
    app.add_middleware(RequestContextMiddleware, quiet_paths=OPERATIONAL_PATHS)
    return app


def _has_permission(dependant: Dependant) -> bool:
    return any(is_permission_dependency(dep.call) or _has_permission(dep) for dep in dependant.dependencies)


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of the app, the included routers' too (FastAPI keeps those inside their router)."""
    return [
        context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def routes_without_permission(app: FastAPI) -> list[str]:
    """Routes that declare neither a role guard nor ``PUBLIC``; must be empty in every service."""
    return [
        f"{','.join(sorted(route.methods or ()))} {route.path}"
        for route in api_routes(app)
        if not _has_permission(route.dependant)
    ]
