"""Legal holds, an incident's retention status, and the disposal of records that have fallen due (MoPI).

The schedule is `services/police_api/rules/retention.py`; docs/retention.md explains it. No FastAPI here:
the routes and the `police-api retention run` job both call these functions.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.crimes.models import Crime, CrimeCorrection, CrimeSubject, VictimContact
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.persons.models import Person, PersonLink, PersonMerge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.reports.models import SchoolReport
from services.police_api.retention.models import Disposal, LegalHold
from services.police_api.retention.schemas import LegalHoldCreate, LegalHoldLift
from services.police_api.routing.models import EducationRecord, RestorativeMeeting
from services.police_api.rules.retention import IncidentFacts, RetentionAction, RetentionDue, retention_of_incident
from shared.context import Context
from shared.retention_job import erase_rows
from shared.problems import Conflict

HOLD = "legal_hold"
INCIDENT = "police_incident"
DISPOSED_BY = "retention"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


async def facts_of(session: AsyncSession, incidents: Sequence[PoliceIncident]) -> dict[uuid.UUID, IncidentFacts]:
    """The facts the schedule needs for each incident, a few queries per 500 incidents."""
    ids = [incident.id for incident in incidents]
    codes: dict[uuid.UUID, list[str]] = {incident_id: [] for incident_id in ids}
    births: dict[uuid.UUID, list[date | None]] = {incident_id: [] for incident_id in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for incident_id, code in await session.execute(select(Crime.incident_id, Crime.offence_code).where(Crime.incident_id.in_(chunk))):
            codes[incident_id].append(code)
        linked = await session.execute(
            select(PersonLink.incident_id, Person.date_of_birth).join(Person, Person.id == PersonLink.person_id).where(PersonLink.incident_id.in_(chunk))
        )
        for incident_id, date_of_birth in linked:
            births[incident_id].append(date_of_birth)
    facts = {}
    for incident in incidents:
        finalised = incident.status is PoliceIncidentStatus.finalised
        closed = _day(incident.finalised_at) if finalised else _day(incident.no_crime_decided_at)
        facts[incident.id] = IncidentFacts(
            reported_on=(incident.reported_at or incident.created_at).date(),
            closed_on=closed,
            offence_codes=codes[incident.id],
            no_crime_decided=incident.no_crime_reason is not None,
            dates_of_birth=births[incident.id],
        )
    return facts


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


async def retention_status(ctx: Context, incident: PoliceIncident) -> tuple[RetentionDue, list[LegalHold], Disposal | None]:
    due = retention_of_incident((await facts_of(ctx.session, [incident]))[incident.id], ctx.now.date())
    holds = list(
        (await ctx.session.scalars(select(LegalHold).where(LegalHold.incident_id == incident.id).order_by(LegalHold.placed_at))).all()
    )
    for hold in holds:
        ctx.audit.record("legal_hold.read", HOLD, hold.id)
    disposal = await ctx.session.scalar(select(Disposal).where(Disposal.incident_id == incident.id))
    return due, holds, disposal


async def place_hold(ctx: Context, incident: PoliceIncident, data: LegalHoldCreate) -> LegalHold:
    if await ctx.session.scalar(select(Disposal.id).where(Disposal.incident_id == incident.id)) is not None:
        raise Conflict("The incident's records have been disposed of already; there is nothing left to hold.")
    if await active_hold(ctx.session, incident.id) is not None:
        raise Conflict("The incident is under a legal hold already; lift it before placing another.")
    hold = LegalHold(
        id=uuid.uuid4(),
        force_code=incident.force_code,
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


async def lift_hold(ctx: Context, incident: PoliceIncident, data: LegalHoldLift) -> LegalHold:
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


# What anonymising leaves of each record of an incident, by the column that ties it to the incident:
# free text and who-columns erased; ids, references, codes, dates and roles kept for statistics.
_BY_INCIDENT: list[tuple[Any, dict[str, Any]]] = [
    (Crime, {"proposed_rationale": None, "public_interest_rationale": None, "recorded_by": DISPOSED_BY, "proposed_by": None, "finalised_by": None}),
    (PPUNotification, {"acknowledged_by": None}),
    (RestorativeMeeting, {"attendees": [], "outcome": "", "recorded_by": DISPOSED_BY}),
    (EducationRecord, {"description": "", "recorded_by": DISPOSED_BY}),
    (LegalHold, {"reason": "", "lift_reason": None, "placed_by": DISPOSED_BY, "lifted_by": None}),
]
_BY_CRIME: list[tuple[Any, dict[str, Any]]] = [
    (CrimeCorrection, {"reason": "", "corrected_by": DISPOSED_BY}),
    (VictimContact, {"note": None, "recorded_by": DISPOSED_BY}),
]
_PERSON_ERASED = {
    "given_name": None, "family_name": None, "name_dob_key": None, "upn_key": None, "date_of_birth": None, "upn": None,
}


async def anonymise_incident(session: AsyncSession, incident: PoliceIncident, due: RetentionDue, now: datetime) -> Disposal:
    """Erase the incident's personal data and texts, keep its skeleton, and record the disposal. A person
    in the nominal index is anonymised once none of their incidents' records is kept any longer.
    The audit chain is never touched (its triggers refuse it)."""
    incident_id = incident.id
    for column in ("no_crime_reason", "route_override_reason", "no_prosecution_reason", "no_crime_decided_by", "routed_by", "finalised_by"):
        setattr(incident, column, None)
    incident.updated_at = now
    # The report as received keeps only that it was received (its reference and times are columns of their own).
    # Through the ORM (erase_rows): encrypted columns are sealed per row, and versioned rows move on a version.
    await erase_rows(
        session, SchoolReport, SchoolReport.police_incident_id == incident_id,
        {"content": {"minimised": True}, "triage_note": None, "triaged_by": None},
    )
    for model, values in _BY_INCIDENT:
        await erase_rows(session, model, model.incident_id == incident_id, values)
    crimes = select(Crime.id).where(Crime.incident_id == incident_id)
    for model, values in _BY_CRIME:
        await erase_rows(session, model, model.crime_id.in_(crimes), values)
    notifications = select(PPUNotification.id).where(PPUNotification.incident_id == incident_id)
    await erase_rows(session, PPUUpdate, PPUUpdate.notification_id.in_(notifications), {"text": "", "author": DISPOSED_BY})
    disposal = Disposal(
        id=uuid.uuid4(),
        force_code=incident.force_code,
        incident_id=incident_id,
        reference=incident.reference,
        record_type=due.record_type,
        due_on=due.due_on,
        action=RetentionAction.anonymise,
        disposed_at=now,
    )
    session.add(disposal)
    await session.flush()
    await _anonymise_people_with_nothing_kept(session, incident_id, now)
    return disposal


async def _anonymise_people_with_nothing_kept(session: AsyncSession, incident_id: uuid.UUID, now: datetime) -> None:
    linked = set((await session.scalars(select(PersonLink.person_id).where(PersonLink.incident_id == incident_id))).all())
    linked |= set((await session.scalars(select(CrimeSubject.person_id).join(Crime, Crime.id == CrimeSubject.crime_id).where(Crime.incident_id == incident_id))).all())
    if not linked:
        return
    disposed = select(Disposal.incident_id)
    still_kept = set(
        (await session.scalars(
            select(PersonLink.person_id).where(PersonLink.person_id.in_(linked), PersonLink.incident_id.not_in(disposed))
        )).all()
    )
    gone = sorted(linked - still_kept)
    if not gone:
        return
    # Records merged into a person are the same person under another spelling: they go with them.
    merged_away = set((await session.scalars(select(Person.id).where(Person.merged_into_id.in_(gone)))).all())
    people = sorted(set(gone) | merged_away)
    await erase_rows(session, Person, Person.id.in_(people), {**_PERSON_ERASED, "updated_at": now})
    await erase_rows(
        session, PersonMerge, or_(PersonMerge.kept_person_id.in_(people), PersonMerge.merged_person_id.in_(people)),
        {"reason": "", "merged_by": DISPOSED_BY},
    )
