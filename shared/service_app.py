"""What every service app has: the request guard, problem handlers, problem catalogue, health."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import text

from shared.context import Runtime, refusal_auditor
from shared.http import RequestGuard, add_problem_catalogue, install_problem_handlers, problem_responses
from shared.migrations import current_revision, head_revision

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
) -> FastAPI:
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,
    )
    audit_refusal = refusal_auditor(lambda: app.state.runtime)
    install_problem_handlers(app, on_refusal=audit_refusal)
    app.add_middleware(RequestGuard, max_body_bytes=max_body_bytes, on_refusal=audit_refusal, form_paths=form_paths, form_prefix=form_prefix)
    add_problem_catalogue(app)
    _add_health(app, service)
    return app


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
