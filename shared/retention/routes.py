"""GET /incidents/{id}/retention, POST /incidents/{id}/legal-hold and /legal-hold/lift: the same in both services.

Each service builds its router here (services/<service>/retention/routes.py) with its context, its way
of reaching an incident, its wire shapes and the descriptions of the three operations in its own words.
No `from __future__ import annotations` here: FastAPI must see the service's context dependency and
schemas as objects, not as names it would look up in this module.
"""
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, status

from shared.http import problem_responses
from shared.retention.schemas import HoldReason, LegalHoldLift, LegalHoldOut, RetentionStatusBase
from shared.retention.service import IncidentRetention


@dataclass(frozen=True)
class RetentionRouteDocs:
    """What each operation does, for the service's OpenAPI document."""

    get_retention: str
    place_legal_hold: str
    lift_legal_hold: str


def retention_router(
    retention: IncidentRetention,
    *,
    context: Any,
    # The service's incidents.service.get_incident: it audits the read under `operation` and refuses
    # (404) an incident the caller may not reach.
    get_incident: Callable[..., Awaitable[Any]],
    hold_create: type[HoldReason],
    status_model: type[RetentionStatusBase],
    docs: RetentionRouteDocs,
) -> APIRouter:
    router = APIRouter(prefix="/incidents/{incident_id}", tags=["retention"])
    read_operation = f"{retention.incident_record}.retention.read"
    hold_operation = f"{retention.incident_record}.legal_hold"

    @router.get("/retention", response_model=status_model, responses=problem_responses(404), description=docs.get_retention)
    async def get_retention(incident_id: uuid.UUID, ctx: context) -> RetentionStatusBase:
        incident = await get_incident(ctx, incident_id, operation=read_operation)
        due, holds, disposal = await retention.retention_status(ctx, incident)
        return status_model.of(incident, due, holds, disposal)

    @router.post(
        "/legal-hold", status_code=status.HTTP_201_CREATED, response_model=LegalHoldOut, responses=problem_responses(404, 409),
        description=docs.place_legal_hold,
    )
    async def place_legal_hold(incident_id: uuid.UUID, body: hold_create, ctx: context) -> LegalHoldOut:
        incident = await get_incident(ctx, incident_id, operation=hold_operation)
        return LegalHoldOut.model_validate(await retention.place_hold(ctx, incident, body), from_attributes=True)

    @router.post("/legal-hold/lift", response_model=LegalHoldOut, responses=problem_responses(404, 409), description=docs.lift_legal_hold)
    async def lift_legal_hold(incident_id: uuid.UUID, body: LegalHoldLift, ctx: context) -> LegalHoldOut:
        incident = await get_incident(ctx, incident_id, operation=hold_operation)
        return LegalHoldOut.model_validate(await retention.lift_hold(ctx, incident, body), from_attributes=True)

    return router
