"""Crime recording under NCRS (P-CRIME, P-OFFENCES): one crime per victim within 24 hours of the report,
a reasoned decision not to record, and the registrar's corrections."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.crimes.models import Crime, CrimeCorrection, CrimeSubject, OffenceCodeRef, VictimContact
from services.police_api.crimes.vocabulary import ContactedParty, CrimeBasis, CrimeDecision, CrimeStatus, NoCrimeBasis
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.persons.models import PersonLink
from services.police_api.reports.models import SchoolReport
from services.police_api.rules.crime import (
    check_crime_basis,
    check_crime_subjects,
    check_crime_victim,
    check_recorded_time,
    crime_basis,
    crime_recording_deadline,
)
from services.police_api.rules.offences import check_offence_code, is_home_office_code
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page, page_in_order
from shared.problems import Conflict, InvalidTransition, NotFound, RuleRefused, ValidationFailed

RECORD = "crime"
SUBJECT = "crime_subject"
CORRECTION = "crime_correction"
CONTACT = "victim_contact"


async def known_offence_codes(ctx: Context) -> set[str]:
    return set((await ctx.session.scalars(select(OffenceCodeRef.code))).all())


async def page_offence_codes(ctx: Context, *, cursor: str | None, limit: int) -> tuple[list[OffenceCodeRef], str | None]:
    rows = list((await ctx.session.scalars(select(OffenceCodeRef).order_by(OffenceCodeRef.code))).all())
    page, next_cursor = page_in_order(rows, lambda row: row.code, cursor, limit)
    ctx.audit.list_page("offence_code.list", "offence_code", [("offence_code", row.code) for row in page])
    return page, next_cursor


async def add_offence_code(session: AsyncSession, *, code: str, title: str, statute: str, added_by: str, now: datetime) -> OffenceCodeRef:
    """Add a Home Office code to the reference table. Every force records its crimes against this one
    national table, so adding to it is the deployment operator's task (`police-api add-offence-code`),
    never a force officer's: an officer's write here would change what every other force records."""
    if not is_home_office_code(code):
        raise RuleRefused("Not a Home Office offence code.", violations=check_offence_code(code, set()))
    if await session.get(OffenceCodeRef, code) is not None:
        raise Conflict("That offence code is already in the reference table.")
    row = OffenceCodeRef(code=code, title=title, statute=statute, added_by=added_by, added_at=now)
    session.add(row)
    await session.flush()
    return row


def report_received_at(incident: PoliceIncident) -> datetime:
    """When the police received the report the incident was opened for: the NCRS clock's start."""
    return incident.reported_at or incident.created_at


def crime_deadline(incident: PoliceIncident) -> datetime:
    return incident.crime_deadline_at or crime_recording_deadline(report_received_at(incident))


async def record_crime(
    ctx: Context,
    incident_id: uuid.UUID,
    *,
    victim_person_id: uuid.UUID,
    offence_code: str,
    subject_person_ids: list[uuid.UUID] | None,
    basis: CrimeBasis | None = None,
) -> Crime:
    """P-CRIME: one crime per victim, against the suspects or persons involved linked to the incident;
    P-THIRD-PARTY: raised on the school's report unless another basis is named."""
    incident = await incidents.get_incident(ctx, incident_id)
    incidents.ensure_open(incident)
    if incident.no_crime_reason is not None:
        raise InvalidTransition("A decision not to record a crime stands for this incident; correct it first.")
    links = {
        link.person_id: link
        for link in (await ctx.session.scalars(select(PersonLink).where(PersonLink.incident_id == incident.id))).all()
    }
    for link in links.values():
        ctx.audit.record("person_link.read", "person_link", link.id)
    victim_link = links.get(victim_person_id)
    violations = check_crime_victim(victim_link.role if victim_link else None)
    violations += check_offence_code(offence_code, await known_offence_codes(ctx))
    if subject_person_ids is None:
        subject_person_ids = [pid for pid, link in links.items() if link.role.is_offender and pid != victim_person_id]
    violations += check_crime_subjects(links[pid].role if pid in links else None for pid in subject_person_ids)
    report_id = await ctx.session.scalar(select(SchoolReport.id).where(SchoolReport.police_incident_id == incident.id))
    if report_id is not None:
        ctx.audit.record("school_report.read", "school_report", report_id)
    basis = crime_basis(basis, from_school_report=report_id is not None)
    violations += check_crime_basis(basis, from_school_report=report_id is not None)
    if violations:
        raise RuleRefused("The crime cannot be recorded as asked.", violations=violations)
    if await ctx.session.scalar(
        select(Crime.id).where(Crime.incident_id == incident.id, Crime.victim_person_id == victim_person_id)
    ):
        raise Conflict("A crime is already recorded for this victim on this incident (one crime per victim).")
    crime = Crime(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        victim_person_id=victim_person_id,
        offence_code=offence_code,
        basis=basis,
        third_party_report_id=report_id if basis is CrimeBasis.third_party_report else None,
        status=CrimeStatus.recorded,
        recorded_at=ctx.now,
        recorded_by=ctx.actor.audit_label,
        deadline_at=crime_deadline(incident),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(crime)
    await ctx.session.flush()
    for person_id in dict.fromkeys(subject_person_ids):
        ctx.session.add(CrimeSubject(id=uuid.uuid4(), force_code=ctx.actor.tenant, crime_id=crime.id, person_id=person_id))
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("crime.create", RECORD, crime.id)
    return crime


async def record_no_crime(
    ctx: Context, incident_id: uuid.UUID, basis: NoCrimeBasis, reason: str, expected_version: int
) -> PoliceIncident:
    """P-CRIME: a decision NOT to record a crime needs its reason; P-N100: its basis in the HOCR vocabulary,
    the report then being a crime-related incident (N100)."""
    incident = await incidents.get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    incidents.ensure_open(incident)
    if not reason.strip():
        raise ValidationFailed("A decision not to record a crime needs its reason.")
    if await ctx.session.scalar(select(func.count()).select_from(Crime).where(Crime.incident_id == incident.id)):
        raise Conflict("Crimes are recorded on this incident; a registrar corrects them instead.")
    incident.no_crime_reason = reason
    incident.no_crime_basis = basis
    incident.no_crime_decided_at = ctx.now
    incident.no_crime_decided_by = ctx.actor.audit_label
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("police_incident.no_crime_decision", incidents.RECORD, incident.id)
    return incident


CRIMES_OLDEST_FIRST = Keyset(Crime.recorded_at, Crime.id, newest_first=False)


@dataclass(frozen=True)
class CrimeParts:
    """What a crime shows beside its own columns: its subjects, its corrections, its victim contacts."""

    subject_person_ids: list[uuid.UUID] = field(default_factory=list)
    corrections: list[CrimeCorrection] = field(default_factory=list)
    contacts: list[VictimContact] = field(default_factory=list)


async def page_crimes(
    ctx: Context, incident_id: uuid.UUID, *, status: CrimeStatus | None, cursor: str | None, limit: int
) -> tuple[list[Crime], dict[uuid.UUID, CrimeParts], str | None]:
    """A page of the incident's crimes with the parts each shows, in one query per part for the page; the
    page's one audit row names each crime followed by its parts."""
    query = select(Crime).where(Crime.incident_id == incident_id)
    if status is not None:
        query = query.where(Crime.status == status)
    rows, next_cursor = await fetch_page(ctx.session, query, CRIMES_OLDEST_FIRST, cursor, limit)
    parts: dict[uuid.UUID, CrimeParts] = {row.id: CrimeParts() for row in rows}
    subjects: dict[uuid.UUID, list[CrimeSubject]] = {row.id: [] for row in rows}
    if rows:
        ids = list(parts)
        for subject in (await ctx.session.scalars(select(CrimeSubject).where(CrimeSubject.crime_id.in_(ids)))).all():
            subjects[subject.crime_id].append(subject)
            parts[subject.crime_id].subject_person_ids.append(subject.person_id)
        for correction in (await ctx.session.scalars(
            select(CrimeCorrection).where(CrimeCorrection.crime_id.in_(ids)).order_by(CrimeCorrection.corrected_at)
        )).all():
            parts[correction.crime_id].corrections.append(correction)
        for contact in (await ctx.session.scalars(
            select(VictimContact).where(VictimContact.crime_id.in_(ids)).order_by(VictimContact.contacted_at)
        )).all():
            parts[contact.crime_id].contacts.append(contact)
    shown = [
        record
        for row in rows
        for record in [
            (RECORD, row.id),
            *shown_as(SUBJECT, subjects[row.id]),
            *shown_as(CORRECTION, parts[row.id].corrections),
            *shown_as(CONTACT, parts[row.id].contacts),
        ]
    ]
    ctx.audit.list_page("crime.list", RECORD, shown, within=(incidents.RECORD, incident_id))
    return rows, parts, next_cursor


async def crimes_of(ctx: Context, incident_id: uuid.UUID) -> list[Crime]:
    rows = list(
        (await ctx.session.scalars(select(Crime).where(Crime.incident_id == incident_id).order_by(Crime.recorded_at))).all()
    )
    for row in rows:
        ctx.audit.record("crime.read", RECORD, row.id)
    return rows


def crime_decision(incident: PoliceIncident, crime_count: int) -> CrimeDecision:
    if crime_count:
        return CrimeDecision.crimes_recorded
    if incident.no_crime_reason is not None:
        return CrimeDecision.no_crime
    return CrimeDecision.pending


async def get_crime(ctx: Context, crime_id: uuid.UUID) -> tuple[Crime, PoliceIncident]:
    """A crime, if its incident is visible to the caller's role (CID: routed to CID; PPU: notified)."""
    crime = await ctx.session.scalar(select(Crime).where(Crime.id == crime_id))
    if crime is None:
        raise NotFound("No such crime in your force.")
    try:
        incident = await incidents.get_incident(ctx, crime.incident_id)
    except NotFound:
        raise NotFound("No such crime in your force.") from None
    ctx.audit.record("crime.read", RECORD, crime.id)
    return crime, incident


async def subjects_of(ctx: Context, crime_id: uuid.UUID) -> list[uuid.UUID]:
    rows = (await ctx.session.execute(select(CrimeSubject.id, CrimeSubject.person_id).where(CrimeSubject.crime_id == crime_id))).all()
    for subject_id, _person_id in rows:
        ctx.audit.record("crime_subject.read", SUBJECT, subject_id)
    return [person_id for _subject_id, person_id in rows]


async def contacts_of(ctx: Context, crime_id: uuid.UUID) -> list[VictimContact]:
    rows = list(
        (await ctx.session.scalars(select(VictimContact).where(VictimContact.crime_id == crime_id).order_by(VictimContact.contacted_at))).all()
    )
    for row in rows:
        ctx.audit.record("victim_contact.read", CONTACT, row.id)
    return rows


async def corrections_of(ctx: Context, crime_id: uuid.UUID) -> list[CrimeCorrection]:
    rows = list(
        (await ctx.session.scalars(select(CrimeCorrection).where(CrimeCorrection.crime_id == crime_id).order_by(CrimeCorrection.corrected_at))).all()
    )
    for row in rows:
        ctx.audit.record("crime_correction.read", CORRECTION, row.id)
    return rows


async def correct_recording(
    ctx: Context,
    crime_id: uuid.UUID,
    *,
    offence_code: str | None,
    recorded_at: datetime | None,
    reason: str,
    expected_version: int,
) -> Crime:
    """The registrar corrects a crime's offence code or recorded time, always with a reason (kept, audited)."""
    crime, incident = await get_crime(ctx, crime_id)
    check_version(crime.version, expected_version)
    if offence_code is None and recorded_at is None:
        raise ValidationFailed("Name the offence code or the recorded time to correct.")
    if recorded_at is not None:
        violations = check_recorded_time(recorded_at, received_at=report_received_at(incident), now=ctx.now)
        if violations:
            raise RuleRefused("The recorded time cannot be used.", violations=violations)
    changes: list[tuple[str, str, str]] = []
    if offence_code is not None and offence_code != crime.offence_code:
        violations = check_offence_code(offence_code, await known_offence_codes(ctx))
        if violations:
            raise RuleRefused("The offence code cannot be used.", violations=violations)
        changes.append(("offence_code", crime.offence_code, offence_code))
        crime.offence_code = offence_code
    if recorded_at is not None and recorded_at != crime.recorded_at:
        changes.append(("recorded_at", crime.recorded_at.isoformat(), recorded_at.isoformat()))
        crime.recorded_at = recorded_at
    if not changes:
        raise ValidationFailed("Nothing would change.")
    corrections = [
        CrimeCorrection(
            id=uuid.uuid4(),
            force_code=ctx.actor.tenant,
            crime_id=crime.id,
            field=field_name,
            old_value=old,
            new_value=new,
            reason=reason,
            corrected_by=ctx.actor.audit_label,
            corrected_at=ctx.now,
        )
        for field_name, old, new in changes
    ]
    ctx.session.add_all(corrections)
    crime.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("crime.correct", RECORD, crime.id)
    for correction in corrections:
        ctx.audit.record("crime_correction.create", CORRECTION, correction.id)
    return crime


async def record_victim_contact(
    ctx: Context, crime_id: uuid.UUID, *, contacted: ContactedParty, contacted_at: datetime, method: str, note: str | None
) -> VictimContact:
    """P-OUTCOME21: the victim (for a child, a parent or guardian) informed of the outcome, and that contact recorded."""
    crime, _incident = await get_crime(ctx, crime_id)
    if contacted_at > ctx.now:
        raise ValidationFailed("A contact cannot be recorded in the future.")
    contact = VictimContact(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        crime_id=crime.id,
        contacted=contacted,
        contacted_at=contacted_at,
        method=method,
        note=note,
        recorded_by=ctx.actor.audit_label,
        created_at=ctx.now,
    )
    ctx.session.add(contact)
    await ctx.session.flush()
    ctx.audit.record("victim_contact.create", CONTACT, contact.id)
    return contact
