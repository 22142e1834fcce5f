"""Outcomes (P-OUTCOME21, P-OUTCOME22, P-NO-CRIMINALISE), young-person notices (P-NOTICE) and
finalising an incident (P-PPU, P-INCIDENT). The rules decide; this module gathers their facts."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from services.police_api.crimes import service as crimes
from services.police_api.crimes.models import Crime, OffenceCodeRef
from services.police_api.crimes.vocabulary import CrimeStatus, OutcomeCode
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.persons import service as persons
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.ppu import service as ppu
from services.police_api.ppu.models import PPUNotification
from services.police_api.routing import service as routing
from services.police_api.routing.models import EducationRecord, RestorativeMeeting
from services.police_api.routing.vocabulary import Route
from services.police_api.rules.incident import IncidentPaths, incident_paths_followed
from services.police_api.rules.notice import check_notice_applies, young_person_notice
from services.police_api.rules.outcomes import OutcomeFacts, is_self_image_only, outcome_violations
from services.police_api.rules.ppu import NotificationState, unacknowledged_notifications
from shared.concurrency import check_version
from shared.context import Context
from shared.pagination import page_in_order
from shared.problems import InvalidTransition, RuleRefused


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
    activity = await ctx.session.scalar(
        select(func.count()).select_from(EducationRecord).where(EducationRecord.incident_id == incident.id)
    ) or await ctx.session.scalar(
        select(func.count()).select_from(RestorativeMeeting).where(RestorativeMeeting.incident_id == incident.id)
    )
    contacts = frozenset(contact.contacted.value for contact in await crimes.contacts_of(ctx, crime.id))
    return OutcomeFacts(
        crime_recorded=crime.recorded_at is not None,
        unacknowledged_ppu_notifications=unacknowledged or 0,
        named_suspects_or_persons_involved=sum(
            1
            for link, person in subjects
            if link.role.is_offender and persons.name_key(person.given_name, person.family_name) is not None
        ),
        adult_implicated=assessment.adult_implicated or any(link.age_status is PersonAge.adult for link, _ in subjects),
        repeat_flagged=assessment.repeat_flagged,
        # The adult perpetrator is its own condition (never overridable); here only the officer's findings.
        full_investigation_flagged=bool(assessment.indicators),
        checks_overridden_with_reason=assessment.checks_overridden,
        public_interest_rationale=rationale,
        victim_is_child=victim is None or victim[0].age_status is not PersonAge.adult,
        contacts_recorded=contacts,
        no_prosecution_decision_recorded=incident.route is Route.scpo and bool(incident.no_prosecution_reason),
        diversionary_activity_recorded=bool(activity),
        self_image_only_child_suspects=sum(
            1
            for link, _ in subjects
            if link.age_status is not PersonAge.adult and is_self_image_only(list(link.reported_roles or []))
        ),
    )


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


async def notices(ctx: Context, crime_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[Notice], str | None]:
    """P-NOTICE: one notice per young person on a crime finalised with Outcome 21."""
    crime, incident = await crimes.get_crime(ctx, crime_id)
    outcome = OutcomeCode(crime.outcome_code) if crime.outcome_code is not None else None
    violations = check_notice_applies(outcome)
    if violations:
        raise RuleRefused("No notices for this crime.", violations=violations)
    offence = await ctx.session.get_one(OffenceCodeRef, crime.offence_code)
    people = [crime.victim_person_id, *await crimes.subjects_of(ctx, crime.id)]
    links = {link.person_id: link for link in await persons.incident_links(ctx, incident.id)}
    text = young_person_notice(crime_type=offence.title, offence_code=offence.code)
    result = []
    for person_id in dict.fromkeys(people):
        link = links.get(person_id)
        if link is None or link.age_status is PersonAge.adult:
            continue
        result.append(Notice(person_id=person_id, role=link.role, offence_code=offence.code, text=text))
    page, next_cursor = page_in_order(result, lambda notice: str(notice.person_id), cursor, limit)
    for notice in page:
        ctx.audit.record("young_person_notice.read", "person", notice.person_id)
    return page, next_cursor


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
