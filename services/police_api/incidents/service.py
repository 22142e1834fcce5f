"""Police incidents: one is opened for every school report (P-INCIDENT), never as School Crime Beat (P-101)."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select

from services.police_api.access import PoliceRole
from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.ppu.models import PPUNotification
from services.police_api.routing.vocabulary import Route
from services.police_api.rules.classification import check_classification
from services.police_api.rules.crime import crime_recording_deadline
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.counters import Reference, next_number
from shared.pagination import newest_first, page_of
from shared.problems import InvalidTransition, NotFound, RuleRefused

RECORD = "police_incident"


def refuse_classification(classification: IncidentClassification) -> None:
    violations = check_classification(classification)
    if violations:
        raise RuleRefused("That classification is not allowed for this incident.", violations=violations)


async def open_incident(ctx: Context, classification: IncidentClassification) -> PoliceIncident:
    """P-INCIDENT: an incident an officer opens, with a force reference."""
    incident = new_incident(ctx, classification, reported_at=ctx.now)
    number = await next_number(ctx.session, ForceCounter, **reference_counter(ctx))
    incident.reference = reference_format(ctx).format(number)
    ctx.session.add(incident)
    await ctx.session.flush()
    ctx.audit.record("police_incident.create", RECORD, incident.id)
    return incident


def new_incident(
    ctx: Context, classification: IncidentClassification, *, reported_at: datetime, indicators: Sequence[str] = ()
) -> PoliceIncident:
    """P-INCIDENT: a new incident, every column set but its force reference, which is numbered as it is
    written (`reference_counter`, `reference_format`); P-CRIME: its NCRS deadline from the report's receipt.
    `indicators`: the findings the school's report already shows (P-FULL-INVESTIGATION)."""
    refuse_classification(classification)
    return PoliceIncident(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        classification=classification,
        status=PoliceIncidentStatus.open,
        created_at=ctx.now,
        updated_at=ctx.now,
        # The version intake's incidents have always had: opened, then given the report's findings by an
        # update when it showed any.
        version=2 if indicators else 1,
        reported_at=reported_at,
        crime_deadline_at=crime_recording_deadline(reported_at),
        no_crime_reason=None,
        no_crime_basis=None,
        no_crime_decided_at=None,
        no_crime_decided_by=None,
        indicators=list(indicators),
        computed_route=None,
        route=None,
        route_override_reason=None,
        no_prosecution_reason=None,
        routed_at=None,
        routed_by=None,
        finalised_at=None,
        finalised_by=None,
    )


def reference_counter(ctx: Context) -> dict[str, Any]:
    """The key of the force counter that numbers the caller's incidents this year."""
    return {"force_code": ctx.actor.tenant, "year": ctx.now.year}


def reference_format(ctx: Context) -> Reference:
    """`52-2026-000123`: the force, the year, the counter's number."""
    return Reference(f"{ctx.actor.tenant}-{ctx.now.year}-", digits=6)


def visibility(ctx: Context) -> ColumnElement[bool] | None:
    """What a role may see within its force: CID the incidents routed to CID; the PPU the incidents
    that concern a child it was notified of. None: other officers see every incident of the force."""
    if ctx.actor.role == PoliceRole.cid:
        return PoliceIncident.route == Route.cid
    if ctx.actor.role == PoliceRole.ppu:
        return exists().where(PPUNotification.incident_id == PoliceIncident.id)
    return None


def visible(ctx: Context, query: Select) -> Select:  # type: ignore[type-arg]
    condition = visibility(ctx)
    return query if condition is None else query.where(condition)


async def get_incident(ctx: Context, incident_id: uuid.UUID, *, operation: str = "police_incident.read") -> PoliceIncident:
    incident = await find_incident(ctx, incident_id)
    ctx.audit.record(operation, RECORD, incident.id)
    return incident


async def find_incident(ctx: Context, incident_id: uuid.UUID) -> PoliceIncident:
    """The incident if the caller's role may see it, not audited: for a list of the incident's records, whose
    one audit row names the incident it belongs to."""
    incident = await ctx.session.scalar(visible(ctx, select(PoliceIncident).where(PoliceIncident.id == incident_id)))
    if incident is None:
        raise NotFound("No such incident in your force.")
    return incident


async def list_incidents(
    ctx: Context, *, status: PoliceIncidentStatus | None, cursor: str | None, limit: int
) -> tuple[list[PoliceIncident], str | None]:
    query = visible(ctx, select(PoliceIncident))
    if status is not None:
        query = query.where(PoliceIncident.status == status)
    query = newest_first(query, PoliceIncident.created_at, PoliceIncident.id, cursor, limit)
    rows, next_cursor = page_of(list((await ctx.session.scalars(query)).all()), limit)
    ctx.audit.list_page("police_incident.list", RECORD, shown_as(RECORD, rows))
    return rows, next_cursor


def ensure_open(incident: PoliceIncident) -> None:
    if incident.status is PoliceIncidentStatus.finalised:
        raise InvalidTransition("The incident is finalised.")


async def change_classification(
    ctx: Context, incident_id: uuid.UUID, classification: IncidentClassification, expected_version: int
) -> PoliceIncident:
    incident = await get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    refuse_classification(classification)
    ensure_open(incident)
    incident.classification = classification
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("police_incident.update", RECORD, incident.id)
    return incident
