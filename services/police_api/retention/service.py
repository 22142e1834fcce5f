"""What a force's retention is made of: the facts its schedule (MoPI) reads, and what disposing of an
incident's records erases.

The schedule is `services/police_api/rules/retention.py`; docs/retention.md explains it. Placing and lifting
holds, the records' status and the disposal itself are the same in both services (shared/retention/service.py);
`POLICE_RETENTION` gives them the force's models, tenant and schedule. No FastAPI here.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.crimes.models import Crime, CrimeCorrection, CrimeSubject, VictimContact, YoungPersonNotice
from services.police_api.database import AuditEntry
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.service import RECORD as INCIDENT
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.persons.models import Person, PersonLink, PersonLinkChange, PersonMerge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.reports.models import SchoolReport
from services.police_api.retention.models import Disposal, LegalHold
from services.police_api.routing.models import EducationRecord, FindingDecision, RestorativeMeeting
from services.police_api.rules.retention import IncidentFacts, is_due, retention_of_incident
from shared.retention.service import DISPOSED_BY, IncidentRetention, erase_rows


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


# What anonymising leaves of each record of an incident, by the column that ties it to the incident:
# free text and who-columns erased; ids, references, codes, dates and roles kept for statistics.
_BY_INCIDENT: list[tuple[Any, dict[str, Any]]] = [
    (Crime, {"proposed_rationale": None, "public_interest_rationale": None, "recorded_by": DISPOSED_BY, "proposed_by": None, "finalised_by": None}),
    (PPUNotification, {"acknowledged_by": None}),
    (RestorativeMeeting, {"attendees": [], "outcome": "", "recorded_by": DISPOSED_BY}),
    (EducationRecord, {"description": "", "recorded_by": DISPOSED_BY}),
    (FindingDecision, {"reason": "", "decided_by": DISPOSED_BY}),
]
_BY_CRIME: list[tuple[Any, dict[str, Any]]] = [
    (CrimeCorrection, {"reason": "", "corrected_by": DISPOSED_BY}),
    (VictimContact, {"note": None, "recorded_by": DISPOSED_BY}),
    (YoungPersonNotice, {"given_by": DISPOSED_BY}),
]
_PERSON_ERASED = {
    "given_name": None, "family_name": None, "name_dob_key": None, "upn_key": None, "date_of_birth": None, "upn": None,
}


async def erase_records(session: AsyncSession, incident: PoliceIncident, now: datetime) -> None:
    """Erase the incident's personal data and texts, keep its skeleton. A person in the nominal index is
    anonymised once none of their incidents' records is kept any longer (this one's disposal is recorded)."""
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
    links = select(PersonLink.id).where(PersonLink.incident_id == incident_id)
    await erase_rows(session, PersonLinkChange, PersonLinkChange.link_id.in_(links), {"reason": "", "changed_by": DISPOSED_BY})
    notifications = select(PPUNotification.id).where(PPUNotification.incident_id == incident_id)
    await erase_rows(session, PPUUpdate, PPUUpdate.notification_id.in_(notifications), {"text": "", "author": DISPOSED_BY})
    await _anonymise_people_with_nothing_kept(session, incident_id, now)


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


POLICE_RETENTION = IncidentRetention(
    incident_model=PoliceIncident,
    hold_model=LegalHold,
    disposal_model=Disposal,
    tenant_column="force_code",
    incident_record=INCIDENT,
    audit_model=AuditEntry,
    facts_of=facts_of,
    schedule=retention_of_incident,
    is_due=is_due,
    erase=erase_records,
    nothing_left_to_hold="The incident's records have been disposed of already; there is nothing left to hold.",
)
