"""Legal holds, an incident's retention status, and the disposal of a file that has fallen due.

The schedule is `services/school_api/rules/retention.py`; docs/retention.md explains it. No FastAPI here:
the routes and the `school-api retention run` job both call these functions.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.school_api.actions.models import ActionEntry
from services.school_api.assessments.models import RiskAssessment
from services.school_api.authorisations.models import Authorisation
from services.school_api.decisions.models import Decision
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices.models import CustodyEvent, Device
from services.school_api.incidents.models import Incident, Observation
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.narratives.models import NarrativeVersion
from services.school_api.people.models import Person
from services.school_api.people.vocabulary import PersonKind
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.retention.models import Disposal, LegalHold
from services.school_api.retention.schemas import LegalHoldCreate, LegalHoldLift
from services.school_api.reviews.models import Review
from services.school_api.rules.retention import (
    Child,
    IncidentFacts,
    RetentionAction,
    RetentionDue,
    retention_of_incident,
)
from services.school_api.searches.models import DeviceSearch
from services.school_api.viewings.models import ImageViewing
from shared.context import Context
from shared.retention_job import erase_rows
from shared.problems import Conflict

HOLD = "legal_hold"
INCIDENT = "incident"
# Who-columns of a disposed file: staff identities are personal data too, and the audit chain keeps who did what.
DISPOSED_BY = "retention"
# Adults' dates of birth do not set a child-protection file's retention; an unknown kind may be a child.
_CHILD_KINDS = (PersonKind.pupil, PersonKind.child_elsewhere, PersonKind.unknown)
_REFERRALS = (DecisionOutcome.refer_police, DecisionOutcome.refer_social_care)


async def facts_of(session: AsyncSession, incidents: Sequence[Incident]) -> dict[uuid.UUID, IncidentFacts]:
    """The facts the schedule needs for each incident, in three queries whatever the number of incidents."""
    ids = [incident.id for incident in incidents]
    children: dict[uuid.UUID, list[Child]] = {incident_id: [] for incident_id in ids}
    aggravated: set[uuid.UUID] = set()
    referred: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        people = await session.execute(
            select(Person.incident_id, Person.date_of_birth, Person.age_years).where(
                Person.incident_id.in_(chunk), Person.kind.in_(_CHILD_KINDS)
            )
        )
        for incident_id, date_of_birth, age_years in people:
            children[incident_id].append(Child(date_of_birth, age_years))
        typologies = await session.execute(select(RiskAssessment.incident_id, RiskAssessment.typology).where(RiskAssessment.incident_id.in_(chunk)))
        aggravated |= {incident_id for incident_id, typology in typologies if typology.aggravated}
        decisions = await session.execute(
            select(Decision.incident_id).where(Decision.incident_id.in_(chunk), Decision.outcome.in_(_REFERRALS))
        )
        referred |= set(decisions.scalars())
    return {
        incident.id: IncidentFacts(
            disclosed_on=incident.disclosed_at.date(),
            children=children[incident.id],
            aggravated=incident.id in aggravated,
            referred=incident.id in referred,
            closed=incident.status is IncidentStatus.closed,
        )
        for incident in incidents
    }


async def active_hold(session: AsyncSession, incident_id: uuid.UUID) -> LegalHold | None:
    return await session.scalar(select(LegalHold).where(LegalHold.incident_id == incident_id, LegalHold.lifted_at.is_(None)))


async def held_incidents(session: AsyncSession, incident_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    held: set[uuid.UUID] = set()
    for start in range(0, len(incident_ids), 500):
        rows = await session.scalars(
            select(LegalHold.incident_id).where(LegalHold.incident_id.in_(incident_ids[start : start + 500]), LegalHold.lifted_at.is_(None))
        )
        held |= set(rows)
    return held


async def retention_status(ctx: Context, incident: Incident) -> tuple[RetentionDue, list[LegalHold], Disposal | None]:
    due = retention_of_incident((await facts_of(ctx.session, [incident]))[incident.id])
    holds = list(
        (await ctx.session.scalars(select(LegalHold).where(LegalHold.incident_id == incident.id).order_by(LegalHold.placed_at))).all()
    )
    for hold in holds:
        ctx.audit.record("legal_hold.read", HOLD, hold.id)
    disposal = await ctx.session.scalar(select(Disposal).where(Disposal.incident_id == incident.id))
    return due, holds, disposal


async def place_hold(ctx: Context, incident: Incident, data: LegalHoldCreate) -> LegalHold:
    """A hold suspends disposal until it is lifted; one at a time, so lifting it is never ambiguous."""
    if await ctx.session.scalar(select(Disposal.id).where(Disposal.incident_id == incident.id)) is not None:
        raise Conflict("The incident's file has been disposed of already; there is nothing left to hold.")
    if await active_hold(ctx.session, incident.id) is not None:
        raise Conflict("The incident is under a legal hold already; lift it before placing another.")
    hold = LegalHold(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        reason=data.reason,
        placed_by=ctx.actor.subject,
        placed_by_role=ctx.actor.role,
        placed_at=ctx.now,
    )
    ctx.session.add(hold)
    await ctx.session.flush()
    ctx.audit.record("legal_hold.place", HOLD, hold.id)
    return hold


async def lift_hold(ctx: Context, incident: Incident, data: LegalHoldLift) -> LegalHold:
    hold = await active_hold(ctx.session, incident.id)
    if hold is None:
        raise Conflict("The incident is not under a legal hold.")
    hold.lifted_by = ctx.actor.subject
    hold.lifted_by_role = ctx.actor.role
    hold.lifted_at = ctx.now
    hold.lift_reason = data.reason
    await ctx.session.flush()
    ctx.audit.record("legal_hold.lift", HOLD, hold.id)
    return hold


# What anonymising leaves of each record of a file: free text and who-columns erased, ids, dates and
# vocabularies kept. Columns that cannot be null get an empty text or DISPOSED_BY.
_ERASED: list[tuple[Any, dict[str, Any]]] = [
    (Observation, {"text": "", "recorded_by": DISPOSED_BY}),
    (ActionEntry, {"justification": None, "performed_by": DISPOSED_BY, "recorded_by": DISPOSED_BY}),
    (RiskAssessment, {"notes": None, "assessed_by": DISPOSED_BY}),
    (Decision, {"reasons": None, "parents_not_informed_reason": None, "safeguards": None, "decided_by": DISPOSED_BY}),
    (Device, {"description": None, "secured_location": None, "created_by": DISPOSED_BY}),
    (CustodyEvent, {"by_whom": DISPOSED_BY, "to_whom": None, "location": None, "recorded_by": DISPOSED_BY}),
    (Review, {"outcome": "", "what_worked": None, "procedure_changes": None, "reviewed_by": DISPOSED_BY}),
    (
        DeviceSearch,
        {"searched_by": DISPOSED_BY, "safeguarding_member_present": DISPOSED_BY, "distress_judgement": "", "findings": None, "recorded_by": DISPOSED_BY},
    ),
    (ImageViewing, {"reason": "", "distress_judgement": "", "viewed_by": DISPOSED_BY}),
    (Authorisation, {"authorised_person": None, "reason": "", "authorised_by": DISPOSED_BY}),
    (PoliceReferral, {"last_error": None, "police_status": None, "created_by": DISPOSED_BY}),
    (LegalHold, {"reason": "", "lift_reason": None, "placed_by": DISPOSED_BY, "lifted_by": None}),
]


def age_at(date_of_birth: date, day: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


async def anonymise_incident(session: AsyncSession, incident: Incident, due: RetentionDue, now: datetime) -> Disposal:
    """Erase the file's personal data and narratives, keep its skeleton, delete its outbox message and
    earlier texts, and record the disposal. The audit chain is never touched (its triggers refuse it)."""
    incident_id = incident.id
    incident.narrative = None
    incident.where_image_ended_up = None
    incident.resolution = None
    incident.created_by = DISPOSED_BY
    incident.closed_by = None
    incident.updated_at = now
    people = (await session.scalars(select(Person).where(Person.incident_id == incident_id))).all()
    for person in people:
        if person.date_of_birth is not None:
            # The age at disclosure survives the date of birth, so that statistics by age still hold.
            person.age_years = age_at(person.date_of_birth, incident.disclosed_at.date())
        person.given_name = person.family_name = person.upn = person.date_of_birth = person.other_school_urn = None
        person.created_by = DISPOSED_BY
        person.updated_at = now
    for model, values in _ERASED:
        await erase_rows(session, model, model.incident_id == incident_id, values)
    referrals = select(PoliceReferral.id).where(PoliceReferral.incident_id == incident_id)
    await session.execute(delete(OutboxMessage).where(OutboxMessage.referral_id.in_(referrals)))
    await session.execute(delete(NarrativeVersion).where(NarrativeVersion.incident_id == incident_id))
    disposal = Disposal(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident_id,
        reference=incident.reference,
        record_type=due.record_type,
        due_on=due.due_on,
        action=RetentionAction.anonymise,
        disposed_at=now,
    )
    session.add(disposal)
    await session.flush()
    return disposal
