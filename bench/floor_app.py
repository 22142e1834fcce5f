"""The floor: the bare stack the services are measured against (issue 7).

A minimal FastAPI app on the same framework, server, engine factory and driver as the services:
it validates the very same create-incident body with the school's own pydantic schema and inserts
one row in one transaction. No authentication, no audit chain, no rules, no reference counter.
It also answers a no-op endpoint, used to measure the load generator's own ceiling.

Run by bench/run.py as `uvicorn bench.floor_app:create_app --factory` with
BENCH_FLOOR_DATABASE_URL set. Not a service: it creates its one table itself.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import FastAPI, Request, status
from sqlalchemy import Column, MetaData, String, Table, Text, Uuid, insert

from services.school_api.incidents.schemas import IncidentCreate
from shared.db import UTCDateTime, create_engine

metadata = MetaData()
floor_incidents = Table(
    "floor_incidents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("school_urn", String(6), nullable=False),
    Column("status", String(30), nullable=False),
    Column("disclosed_at", UTCDateTime(), nullable=False),
    Column("disclosure_source", String(30), nullable=False),
    Column("image_nature", String(30), nullable=False),
    Column("narrative", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)


def create_app() -> FastAPI:
    database_url = os.environ["BENCH_FLOOR_DATABASE_URL"]
    pool_size = int(os.environ.get("BENCH_FLOOR_POOL_SIZE", "10"))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(database_url, pool_size=pool_size)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        app.state.engine = engine
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="bench floor", lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/noop")
    async def noop() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/incidents", status_code=status.HTTP_201_CREATED)
    async def create_incident(body: IncidentCreate, request: Request) -> dict[str, str]:
        row_id = uuid.uuid4()
        async with request.app.state.engine.begin() as connection:
            await connection.execute(
                insert(floor_incidents).values(
                    id=row_id,
                    school_urn="000000",
                    status="open",
                    disclosed_at=body.disclosed_at,
                    disclosure_source=body.disclosure_source.value,
                    image_nature=body.image_nature.value,
                    narrative=body.narrative,
                    created_at=datetime.now(UTC),
                )
            )
        return {"id": str(row_id)}

    return app
