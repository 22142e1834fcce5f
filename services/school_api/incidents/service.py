"""Opening, reading, updating, listing and closing incidents. No FastAPI here; the Context says who and when."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import defer

from services.school_api.actions.models import ActionEntry
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.decisions.models import Decision
from services.school_api.incidents.models import Incident, IncidentCounter, Observation
from services.school_api.incidents.schemas import CloseRequest, IncidentCreate, IncidentUpdate, ObservationCreate
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.next_steps import service as next_steps
from services.school_api.narratives.service import keep_previous_texts
from services.school_api.reviews.models import Review
from services.school_api.rules.dsl import s_dsl
from services.school_api.rules.lifecycle import can_transition
from services.school_api.rules.next_steps import closing_violations
from services.school_api.rules.review import s_review
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.counters import Reference, insert_numbered
from shared.pagination import Keyset, fetch_page, newest_first, page_of
from shared.problems import Conflict, InvalidTransition, NotFound, RuleRefused

RECORD = "incident"
OBSERVATION = "observation"
STAFF = "staff"


async def open_incident(ctx: Context, data: IncidentCreate) -> Incident:
    incident = Incident(
        id=uuid.uuid4(),
        school_urn=ctx.actor.tenant,
        status=IncidentStatus.open,
        disclosed_at=data.disclosed_at,
        disclosure_source=data.disclosure_source,
        image_nature=data.image_nature,
        narrative=data.narrative,
        image_involvement=[value.value for value in data.image_involvement] if data.image_involvement else None,
        sharing_extent=data.sharing_extent,
        device_possession=data.device_possession,
        device_ownership=data.device_ownership,
        dsl_consulted=data.dsl_consulted,
        immediate_support_needed=data.immediate_support_needed,
        other_pupils_involved=data.other_pupils_involved,
        where_image_ended_up=data.where_image_ended_up,
        created_by=ctx.actor.subject,
        created_by_role=ctx.actor.role,
        created_at=ctx.now,
        updated_at=ctx.now,
        closed_at=None,
        closed_by=None,
        resolution=None,
        version=1,
    )
    # `URN-YEAR-NNNN`, numbered per school and year without gaps from concurrent openings; the audit
    # row goes in with the insert (one round trip on PostgreSQL), so it is recorded first.
    ctx.audit.record("incident.create", RECORD, incident.id)
    year = ctx.now.year
    await insert_numbered(
        ctx.session, incident, IncidentCounter, {"school_urn": ctx.actor.tenant, "year": year}, "reference",
        Reference(f"{ctx.actor.tenant}-{year}-", digits=4), audit=ctx.audit, clock=ctx.clock,
    )
    return incident


async def get_incident(ctx: Context, incident_id: uuid.UUID, *, operation: str = "incident.read") -> Incident:
    incident = await find_incident(ctx, incident_id)
    ctx.audit.record(operation, RECORD, incident.id)
    return incident


async def find_incident(ctx: Context, incident_id: uuid.UUID) -> Incident:
    """The incident if the caller may reach it, not audited: for a list of the incident's records, whose one
    audit row names the incident it belongs to."""
    # The session's tenant guard adds `school_urn = caller's URN`: another school's id is simply not found.
    query = select(Incident).where(Incident.id == incident_id)
    if ctx.actor.role == STAFF:
        # Staff may reach only incidents they opened, and only to add to them or see reference and status.
        query = query.where(Incident.created_by == ctx.actor.subject)
    incident = await ctx.session.scalar(query)
    if incident is None:
        raise not_found()
    return incident


def not_found() -> NotFound:
    return NotFound("No such incident in your school.")


def reachable_by(ctx: Context, created_by: str) -> bool:
    """For a read that selects an incident's columns itself (the school's URN in its WHERE clause): what
    `find_incident` adds for staff, who reach only the incidents they opened."""
    return ctx.actor.role != STAFF or created_by == ctx.actor.subject


async def get_writable_incident(ctx: Context, incident_id: uuid.UUID, *, operation: str) -> Incident:
    """The incident, refused with 409 once closed: a closed record is kept as it was (S-RECORD)."""
    incident = await get_incident(ctx, incident_id, operation=operation)
    check_writable(incident.status)
    return incident


def check_writable(status: IncidentStatus) -> None:
    if status is IncidentStatus.closed:
        raise Conflict("The incident is closed; its record can be read but not changed.")


def transition(ctx: Context, incident: Incident, target: IncidentStatus) -> None:
    check_transition(incident.status, target)
    incident.status = target
    incident.updated_at = ctx.now


def check_transition(current: IncidentStatus, target: IncidentStatus) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(f"An incident that is {current.value} cannot become {target.value}.")


async def update_incident(ctx: Context, incident_id: uuid.UUID, data: IncidentUpdate, expected_version: int) -> Incident:
    incident = await get_writable_incident(ctx, incident_id, operation="incident.update")
    check_version(incident.version, expected_version)
    # A corrected narrative is not overwritten: the text it replaces is kept, for the DSL to see.
    keep_previous_texts(ctx, incident, {name: getattr(data, name) for name in data.model_fields_set})
    for name in data.model_fields_set:
        value = getattr(data, name)
        if name == "image_nature" and value is None:
            continue
        if name == "image_involvement" and value is not None:
            value = [item.value for item in value]
        setattr(incident, name, value)
    incident.updated_at = ctx.now
    await ctx.session.flush()
    return incident


async def add_observation(ctx: Context, incident_id: uuid.UUID, data: ObservationCreate) -> Observation:
    incident = await get_writable_incident(ctx, incident_id, operation="incident.observation.append")
    observation = Observation(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        observed_at=data.observed_at,
        text=data.text,
        recorded_by=ctx.actor.subject,
        recorded_by_role=ctx.actor.role,
        recorded_at=ctx.now,
    )
    ctx.session.add(observation)
    await ctx.session.flush()
    ctx.audit.record("observation.create", OBSERVATION, observation.id)
    return observation


# The API list of observations: oldest first, as recorded, a page at a time.
OBSERVATIONS = Keyset(Observation.recorded_at, Observation.id, newest_first=False)


async def page_observations(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[Observation], str | None]:
    query = select(Observation).where(Observation.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, OBSERVATIONS, cursor, limit)
    ctx.audit.list_page("observation.list", OBSERVATION, shown_as(OBSERVATION, rows), within=(RECORD, incident_id))
    return rows, next_cursor


async def actions_taken(ctx: Context, incident_id: uuid.UUID) -> list[ActionKind]:
    """The kinds of action taken, for S-DSL. Read to check a rule is still read: audited like any read of the log."""
    rows = (
        await ctx.session.execute(
            select(ActionEntry.id, ActionEntry.kind).where(ActionEntry.incident_id == incident_id, ActionEntry.taken.is_(True))
        )
    ).all()
    for row in rows:
        ctx.audit.record("action.read", "action", row.id)
    return [row.kind for row in rows]


async def close_incident(ctx: Context, incident_id: uuid.UUID, data: CloseRequest, expected_version: int) -> Incident:
    incident = await get_writable_incident(ctx, incident_id, operation="incident.close")
    check_version(incident.version, expected_version)
    decided_at = await ctx.session.scalar(select(func.max(Decision.decided_at)).where(Decision.incident_id == incident.id))
    # The review must follow the decision that stands: an escalation after a review is reviewed again.
    has_review = decided_at is not None and await ctx.session.scalar(
        select(exists().where(Review.incident_id == incident.id, Review.reviewed_at >= decided_at))
    )
    violations = s_review(has_decision=decided_at is not None, has_review=bool(has_review))
    violations += s_dsl(await actions_taken(ctx, incident.id))
    violations += closing_violations(await next_steps.open_steps(ctx, incident))
    if violations:
        raise RuleRefused("The incident cannot be closed yet.", violations=violations)
    transition(ctx, incident, IncidentStatus.closed)
    incident.closed_at = ctx.now
    incident.closed_by = ctx.actor.subject
    incident.resolution = data.resolution
    await ctx.session.flush()
    return incident


async def list_incidents(
    ctx: Context,
    *,
    status: IncidentStatus | None,
    disclosed_from: datetime | None,
    disclosed_to: datetime | None,
    cursor: str | None,
    limit: int,
    reference: str | None = None,
) -> tuple[list[Incident], str | None]:
    # The list shows summaries: the sealed texts are neither loaded nor opened (raise, not load, if read).
    query = select(Incident).options(
        *(defer(column, raiseload=True) for column in (Incident.narrative, Incident.where_image_ended_up, Incident.resolution))
    )
    if reference is not None:
        # Exact: a reference is the school's own number for the incident (`URN-YEAR-NNNN`), not personal data.
        query = query.where(Incident.reference == reference)
    if status is not None:
        query = query.where(Incident.status == status)
    if disclosed_from is not None:
        query = query.where(Incident.disclosed_at >= disclosed_from)
    if disclosed_to is not None:
        query = query.where(Incident.disclosed_at < disclosed_to)
    query = newest_first(query, Incident.created_at, Incident.id, cursor, limit)
    rows, next_cursor = page_of(list((await ctx.session.scalars(query)).all()), limit)
    ctx.audit.list_page("incident.list", RECORD, shown_as(RECORD, rows))
    return rows, next_cursor
