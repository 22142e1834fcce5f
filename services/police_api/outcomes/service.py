"""Outcomes (P-OUTCOME21, P-OUTCOME22, P-NO-CRIMINALISE, P-AGE-OF-RESPONSIBILITY), young-person notices (P-NOTICE) and
finalising an incident (P-PPU, P-INCIDENT). The rules decide; this module gathers their facts."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from services.police_api.crimes import service as crimes
from services.police_api.crimes.models import Crime, OffenceCodeRef, YoungPersonNotice
from services.police_api.crimes.vocabulary import CrimeStatus, NoticeMethod, OutcomeCode
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.persons import service as persons
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.ppu import service as ppu
from services.police_api.ppu.models import PPUNotification
from services.police_api.routing import service as routing
from services.police_api.routing.models import EducationRecord, RestorativeMeeting
from services.police_api.routing.vocabulary import EducationKind, Route
from services.police_api.rules.incident import IncidentPaths, incident_paths_followed
from services.police_api.rules.links import below_criminal_responsibility, contract_kind
from services.police_api.rules.notice import check_notice_applies, check_notice_given, young_person_notice
from services.police_api.rules.outcomes import OutcomeFacts, is_self_image_only, outcome_violations
from services.police_api.rules.ppu import NotificationState, unacknowledged_notifications
from shared.concurrency import check_version
from shared.context import Context
from shared.pagination import page_in_order
from shared.problems import Conflict, InvalidTransition, RuleRefused
from shared.report_contract import POSSIBLY_ADULT_KINDS

NOTICE_GIVEN = "young_person_notice_given"


async def outcome_facts(ctx: Context, crime: Crime, incident: PoliceIncident, rationale: str | None) -> OutcomeFacts:
    assessment = await routing.assess(ctx, incident)
    links = {link.person_id: (link, person) for link, person in await persons.links_of(ctx, incident.id)}
    subjects = [links[pid] for pid in await crimes.subjects_of(ctx, crime.id) if pid in links]
    victim = links.get(crime.victim_person_id)
    unacknowledged = await ctx.session.scalar(
        select(func.count())
        .select_from(PPUNotification)
        .where(PPUNotification.incident_id == incident.id, PPUNotification.acknowledged_at.is_(None))
    )
    contacts = frozenset(contact.contacted.value for contact in await crimes.contacts_of(ctx, crime.id))
    named = [
        link.person_id
        for link, person in subjects
        if link.role.is_offender and persons.name_key(person.given_name, person.family_name) is not None
    ]
    with_activity = await _people_with_own_activity(ctx, incident.id)
    return OutcomeFacts(
        crime_recorded=crime.recorded_at is not None,
        unacknowledged_ppu_notifications=unacknowledged or 0,
        named_suspects_or_persons_involved=len(named),
        adult_implicated=assessment.adult_implicated
        or any(contract_kind(link.age_status) in POSSIBLY_ADULT_KINDS for link, _ in subjects),
        repeat_flagged=assessment.repeat_flagged,
        checks_overridden_with_reason=assessment.checks_overridden,
        # The adult perpetrator is its own condition (never overridable); here the officers' findings by name.
        unresolved_findings=tuple(finding.value for finding in assessment.unresolved_findings),
        named_subjects_without_activity=sum(1 for person_id in named if person_id not in with_activity),
        under_age_subjects=sum(
            1 for link, person in subjects if below_criminal_responsibility(persons.age_at_incident(link, person, incident))
        ),
        public_interest_rationale=rationale,
        victim_is_child=victim is None or victim[0].age_status is not PersonAge.adult,
        contacts_recorded=contacts,
        no_prosecution_decision_recorded=incident.route is Route.scpo and bool(incident.no_prosecution_reason),
        self_image_only_child_suspects=sum(
            1
            for link, _ in subjects
            if link.age_status is not PersonAge.adult and is_self_image_only(list(link.reported_roles or []))
        ),
    )


async def _people_with_own_activity(ctx: Context, incident_id: uuid.UUID) -> set[uuid.UUID]:
    """P-OUTCOME22: who had a diversionary, educational or intervention activity of their own: a specific input
    naming them, or a restorative meeting they attended. A lesson or assembly for the school names no one."""
    inputs = (
        await ctx.session.execute(
            select(EducationRecord.id, EducationRecord.person_id).where(
                EducationRecord.incident_id == incident_id,
                EducationRecord.kind.in_([EducationKind.offender_input, EducationKind.victim_input]),
            )
        )
    ).all()
    meetings = (
        await ctx.session.execute(
            select(RestorativeMeeting.id, RestorativeMeeting.attendees).where(RestorativeMeeting.incident_id == incident_id)
        )
    ).all()
    people: set[uuid.UUID] = set()
    for record_id, person_id in inputs:
        ctx.audit.record("education_record.read", "education_record", record_id)
        people.add(person_id)
    for meeting_id, attendees in meetings:
        ctx.audit.record("restorative_meeting.read", "restorative_meeting", meeting_id)
        people |= {uuid.UUID(str(a["person_id"])) for a in attendees or [] if a.get("person_id")}
    return people


async def _checked(ctx: Context, crime: Crime, incident: PoliceIncident, code: OutcomeCode, rationale: str | None) -> None:
    violations = outcome_violations(code, await outcome_facts(ctx, crime, incident, rationale))
    if violations:
        raise RuleRefused(f"Outcome {code.value} cannot be given to this crime.", violations=violations)


async def propose_outcome(
    ctx: Context, crime_id: uuid.UUID, code: OutcomeCode, rationale: str | None, expected_version: int
) -> Crime:
    """The SCPO (or CID) proposes an outcome; the same conditions apply as for finalising it."""
    crime, incident = await crimes.get_crime(ctx, crime_id)
    check_version(crime.version, expected_version)
    if crime.status is CrimeStatus.finalised:
        raise InvalidTransition("The crime already has its final outcome.")
    await _checked(ctx, crime, incident, code, rationale)
    crime.proposed_outcome = code.value
    crime.proposed_rationale = rationale
    crime.proposed_by = ctx.actor.audit_label
    crime.proposed_at = ctx.now
    crime.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("crime.propose_outcome", crimes.RECORD, crime.id)
    return crime


async def finalise_outcome(
    ctx: Context, crime_id: uuid.UUID, code: OutcomeCode, rationale: str | None, expected_version: int
) -> Crime:
    """A supervisor finalises the crime with an outcome from the Home Office list."""
    crime, incident = await crimes.get_crime(ctx, crime_id)
    check_version(crime.version, expected_version)
    if crime.status is CrimeStatus.finalised:
        raise InvalidTransition("The crime already has its final outcome.")
    if rationale is None and crime.proposed_outcome == code.value:
        rationale = crime.proposed_rationale
    await _checked(ctx, crime, incident, code, rationale)
    crime.outcome_code = code.value
    crime.public_interest_rationale = rationale
    crime.status = CrimeStatus.finalised
    crime.finalised_at = ctx.now
    crime.finalised_by = ctx.actor.audit_label
    crime.updated_at = ctx.now
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("crime.finalise_outcome", crimes.RECORD, crime.id)
    return crime


@dataclass(frozen=True)
class Notice:
    person_id: uuid.UUID
    role: LinkRole
    offence_code: str
    text: str
    given: YoungPersonNotice | None = None


async def notices(ctx: Context, crime_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[Notice], str | None]:
    """P-NOTICE: one notice per young person on a crime finalised with Outcome 21, a page at a time."""
    page, next_cursor = page_in_order(await _owed_notices(ctx, crime_id), lambda notice: str(notice.person_id), cursor, limit)
    shown = [
        record
        for notice in page
        for record in [("person", notice.person_id), *([(NOTICE_GIVEN, notice.given.id)] if notice.given is not None else [])]
    ]
    ctx.audit.list_page("young_person_notice.list", "person", shown, within=(crimes.RECORD, crime_id))
    return page, next_cursor


async def _owed_notices(ctx: Context, crime_id: uuid.UUID) -> list[Notice]:
    """Every notice the crime owes, with when it was given if it was; the caller audits what it shows."""
    crime, incident = await crimes.get_crime(ctx, crime_id)
    outcome = OutcomeCode(crime.outcome_code) if crime.outcome_code is not None else None
    violations = check_notice_applies(outcome)
    if violations:
        raise RuleRefused("No notices for this crime.", violations=violations)
    offence = await ctx.session.get_one(OffenceCodeRef, crime.offence_code)
    people = [crime.victim_person_id, *await crimes.subjects_of(ctx, crime.id)]
    links = {link.person_id: link for link in await persons.incident_links(ctx, incident.id)}
    text = young_person_notice(crime_type=offence.title, offence_code=offence.code)
    given = {row.person_id: row for row in (await ctx.session.scalars(select(YoungPersonNotice).where(YoungPersonNotice.crime_id == crime.id))).all()}
    result = []
    for person_id in dict.fromkeys(people):
        link = links.get(person_id)
        if link is None or link.age_status is PersonAge.adult:
            continue
        result.append(Notice(person_id=person_id, role=link.role, offence_code=offence.code, text=text, given=given.get(person_id)))
    return result


async def record_notice_given(
    ctx: Context, crime_id: uuid.UUID, *, person_id: uuid.UUID, given_at: datetime, method: NoticeMethod
) -> Notice:
    """P-NOTICE: when and how the notice was given to one young person on a crime finalised with Outcome 21."""
    owed = {notice.person_id: notice for notice in await _owed_notices(ctx, crime_id)}
    crime, _incident = await crimes.get_crime(ctx, crime_id)
    violations = check_notice_given(on_the_notices=person_id in owed, given_at=given_at, finalised_at=crime.finalised_at, now=ctx.now)
    if violations:
        raise RuleRefused("The notice cannot be recorded as given.", violations=violations)
    if owed[person_id].given is not None:
        raise Conflict("The notice to this young person is already recorded as given.")
    row = YoungPersonNotice(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        crime_id=crime.id,
        person_id=person_id,
        given_at=given_at,
        method=method,
        given_by=ctx.actor.audit_label,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    ctx.audit.record("young_person_notice_given.create", NOTICE_GIVEN, row.id)
    notice = owed[person_id]
    return Notice(person_id=notice.person_id, role=notice.role, offence_code=notice.offence_code, text=notice.text, given=row)


async def finalise_incident(ctx: Context, incident_id: uuid.UUID, expected_version: int) -> PoliceIncident:
    """P-PPU: not while any child's notification is unacknowledged; P-INCIDENT: both routes followed."""
    incident = await incidents.get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    incidents.ensure_open(incident)
    notifications = await ppu.for_incident(ctx, incident.id)
    links = await persons.incident_links(ctx, incident.id)
    crime_rows = await crimes.crimes_of(ctx, incident.id)
    victims = {link.person_id for link in links if link.role.is_victim}
    violations = unacknowledged_notifications(
        NotificationState(str(n.id), n.acknowledged_at is not None) for n in notifications
    )
    violations += incident_paths_followed(
        IncidentPaths(
            children=sum(1 for link in links if link.age_status is not PersonAge.adult),
            ppu_notifications=len(notifications),
            victims=len(victims),
            victims_with_crime=len(victims & {crime.victim_person_id for crime in crime_rows}),
            no_crime_reason_recorded=bool(incident.no_crime_reason),
            crimes=len(crime_rows),
            crimes_finalised=sum(1 for crime in crime_rows if crime.status is CrimeStatus.finalised),
        )
    )
    if violations:
        raise RuleRefused("The incident cannot be finalised yet.", violations=violations)
    incident.status = PoliceIncidentStatus.finalised
    incident.finalised_at = ctx.now
    incident.finalised_by = ctx.actor.audit_label
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("police_incident.finalise", incidents.RECORD, incident.id)
    return incident
