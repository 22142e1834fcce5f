"""What every service app has: the request guard, problem handlers, problem catalogue, health."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.context import Runtime, refusal_auditor
from shared.http import RequestGuard, add_problem_catalogue, install_problem_handlers, problem_responses
from shared.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from shared.metrics import METRICS_PATH, GaugeReading, GaugeSource, ServiceMetrics
from shared.migrations import current_revision, head_revision
from shared.query import refuse_malformed_query
from shared.tenancy import ALL_TENANTS

log = logging.getLogger("metrics")
DatabaseReader = Callable[[AsyncSession, datetime], Awaitable[list[GaugeReading]]]

# Statuses any authenticated operation can answer, whatever it does.
COMMON_PROBLEM_STATUSES = (400, 401, 403, 413, 415, 422, 500, 503)


def new_service_app(
    *,
    title: str,
    description: str,
    service: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    max_body_bytes: int,
    form_paths: frozenset[str] = frozenset(),
    form_prefix: str | None = None,
    gauges: Callable[[FastAPI], GaugeSource] | None = None,
) -> FastAPI:
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,
        dependencies=[Depends(refuse_malformed_query)],
    )
    audit_refusal = refusal_auditor(lambda: app.state.runtime)
    metrics = ServiceMetrics(service)
    if gauges is not None:
        metrics.gauge_source = gauges(app)
    app.state.metrics = metrics
    install_problem_handlers(app, on_refusal=audit_refusal)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=max_body_bytes,
        on_refusal=audit_refusal,
        form_paths=form_paths,
        form_prefix=form_prefix,
        on_answered=metrics.observe_request,
    )
    add_problem_catalogue(app)
    _add_health(app, service)
    _add_metrics(app, metrics)
    return app


def database_gauges(*readers: DatabaseReader) -> Callable[[FastAPI], GaugeSource]:
    """Gauges read at each scrape, across every tenant (they are counts; no tenant is labelled)."""

    def bind(app: FastAPI) -> GaugeSource:
        async def read() -> list[GaugeReading]:
            runtime: Runtime = app.state.runtime
            readings: list[GaugeReading] = []
            try:
                async with runtime.session(ALL_TENANTS) as session:
                    now = runtime.clock.now()
                    for reader in readers:
                        readings.extend(await reader(session, now))
            except Exception:
                # The HTTP counters still matter most when the database does not answer.
                log.exception("database gauges could not be read")
                return [GaugeReading("metrics_database_readable", "1 when the database gauges could be read.", 0)]
            readings.append(GaugeReading("metrics_database_readable", "1 when the database gauges could be read.", 1))
            return readings

        return read

    return bind


def declare_common_problems(app: FastAPI) -> None:
    """Every operation declares the problems the edge and the auth layer can return."""
    for route in _api_routes(app.routes):
        if route.include_in_schema and route.path not in ("/healthz", "/readyz"):
            for status, spec in problem_responses(*COMMON_PROBLEM_STATUSES).items():
                route.responses.setdefault(status, spec)


def _api_routes(routes: Any) -> Any:
    """Every APIRoute, including those of included routers: FastAPI 0.16x keeps an included router as
    one lazy `_IncludedRouter` entry (its `original_router` holds the routes) instead of copying them."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def _add_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    # Out of the OpenAPI document: Prometheus text, read by a scraper, not by an API client. No token: it
    # carries no personal data and no tenant (shared/metrics.py); a deployment keeps it off the public
    # ingress (docs/operations.md).
    @app.get(METRICS_PATH, include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return Response(await metrics.render(), media_type=METRICS_CONTENT_TYPE)


def _add_health(app: FastAPI, service: str) -> None:
    @app.get("/healthz", tags=["health"], responses=problem_responses(500))
    async def healthz() -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses=problem_responses(503))
    async def readyz(request: Request) -> Any:
        """Ready: the database answers and its schema is at the migrations' head."""
        runtime: Runtime = request.app.state.runtime
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            current = await current_revision(runtime.engine)
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        head = head_revision(service)
        if current != head:
            return JSONResponse(
                {"status": "unavailable", "database": "reachable", "migrations": "behind head"}, status_code=503
            )
        return {"status": "ok", "database": "reachable", "migrations": "at head"}
