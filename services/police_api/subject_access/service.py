"""Everything the force holds about one person of the nominal index, for a subject access request.

Law-enforcement processing answers under DPA 2018 Part 3 (s.45), not UK GDPR Art. 15; s.45(4) lets the
controller restrict what is disclosed, among other reasons to protect the rights and freedoms of others
(e) and to avoid prejudicing an investigation (b). The export applies (e) mechanically (other people's
identities withheld); (b) is a judgement the registrar makes on reading it before release. Every record
put in the export is audited as read for it (`subject_access.export`); the other people linked, read only to
withhold their names, as `subject_access.redact`.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select

from services.police_api.crimes.models import Crime, CrimeSubject
from services.police_api.incidents.models import PoliceIncident
from services.police_api.persons import service as persons
from services.police_api.persons.models import Person, PersonLink, PersonMerge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.reports.models import SchoolReport
from services.police_api.routing.models import EducationRecord, RestorativeMeeting
from services.police_api.subject_access import schemas as out
from services.police_api.subject_access.vocabulary import NamedAs
from shared.context import Context
from shared.redaction import names_to_redact, redact

OPERATION = "subject_access.export"
REDACTED_READ = "subject_access.redact"
REDACTIONS = [
    "Other people linked to the same incidents appear by link role and age only, and their names are replaced "
    "by '[another person]' in every text (DPA 2018 s.45(4)(e)). Who attended a restorative meeting is left out.",
    "Officers are named by role, not identity.",
    "Whether any part must be withheld to avoid prejudicing an investigation (s.45(4)(b)) is for the registrar "
    "to decide on reading the export; nothing is withheld on that ground automatically.",
]


async def export(ctx: Context, person_id: uuid.UUID) -> out.SubjectAccessExport:
    person = await persons.get_person(ctx, person_id)
    ctx.audit.record(OPERATION, persons.PERSON, person.id)
    merges = (await ctx.session.scalars(select(PersonMerge).where(PersonMerge.kept_person_id == person.id).order_by(PersonMerge.merged_at))).all()
    for merge in merges:
        ctx.audit.record(OPERATION, "person_merge", merge.id)
    links = (
        await ctx.session.execute(
            select(PersonLink, PoliceIncident)
            .join(PoliceIncident, PoliceIncident.id == PersonLink.incident_id)
            .where(PersonLink.person_id == person.id)
            .order_by(PoliceIncident.created_at)
        )
    ).all()
    return out.SubjectAccessExport(
        exported_at=ctx.now,
        exported_by_role=ctx.actor.role,
        person=out.PersonRecord(
            id=person.id, given_name=person.given_name, family_name=person.family_name, date_of_birth=person.date_of_birth,
            upn=person.upn, sex=person.sex, age_status=person.age_status.value,
        ),
        merged_records=[out.MergedRecord(id=merge.id, merged_at=merge.merged_at, reason=merge.reason) for merge in merges],
        redactions=REDACTIONS,
        incidents=[await _incident_file(ctx, person, link, incident) for link, incident in links],
    )


def _audited(ctx: Context, rows: Sequence[Any], record_type: str) -> Sequence[Any]:
    for row in rows:
        ctx.audit.record(OPERATION, record_type, row.id)
    return rows


async def _incident_file(ctx: Context, person: Person, link: PersonLink, incident: PoliceIncident) -> out.IncidentFile:
    ctx.audit.record(OPERATION, "police_incident", incident.id)
    ctx.audit.record(OPERATION, "person_link", link.id)
    others = (
        await ctx.session.execute(
            select(PersonLink, Person).join(Person, Person.id == PersonLink.person_id).where(
                PersonLink.incident_id == incident.id, PersonLink.person_id != person.id
            )
        )
    ).all()
    for other_link, other in others:
        # Read to withhold: their names are looked up only to take them out of the texts.
        ctx.audit.record(REDACTED_READ, "person", other.id)
        ctx.audit.record(REDACTED_READ, "person_link", other_link.id)
    reports = _audited(
        ctx, (await ctx.session.scalars(select(SchoolReport).where(SchoolReport.police_incident_id == incident.id))).all(), "school_report"
    )
    reported_people = [entry for report in reports for entry in (report.content or {}).get("people", []) if isinstance(entry, dict)]
    own_entry_ids = {str(link.school_person_id)} if link.school_person_id else set()
    other_names = [name for _, other in others for name in (other.given_name, other.family_name)]
    other_names += [
        entry.get(key) for entry in reported_people if entry.get("school_person_id") not in own_entry_ids for key in ("given_name", "family_name")
    ]
    names = names_to_redact(other_names, [person.given_name, person.family_name])

    def text(value: str | None) -> str | None:
        return redact(value, names)

    named_as_subject = select(CrimeSubject.crime_id).where(CrimeSubject.person_id == person.id)
    crimes = _audited(
        ctx,
        (await ctx.session.scalars(
            select(Crime).where(Crime.incident_id == incident.id, or_(Crime.victim_person_id == person.id, Crime.id.in_(named_as_subject)))
            .order_by(Crime.recorded_at)
        )).all(),
        "crime",
    )
    notifications = _audited(
        ctx,
        (await ctx.session.scalars(
            select(PPUNotification).where(PPUNotification.incident_id == incident.id, PPUNotification.person_id == person.id)
        )).all(),
        "ppu_notification",
    )
    updates = _audited(
        ctx,
        (await ctx.session.scalars(
            select(PPUUpdate).where(PPUUpdate.notification_id.in_([n.id for n in notifications])).order_by(PPUUpdate.created_at)
        )).all(),
        "ppu_update",
    )
    education = _audited(
        ctx,
        (await ctx.session.scalars(
            select(EducationRecord).where(EducationRecord.incident_id == incident.id, EducationRecord.person_id == person.id)
        )).all(),
        "education_record",
    )
    meetings = _audited(
        ctx, (await ctx.session.scalars(select(RestorativeMeeting).where(RestorativeMeeting.incident_id == incident.id))).all(), "restorative_meeting"
    )
    return out.IncidentFile(
        id=incident.id,
        reference=incident.reference,
        classification=incident.classification.value,
        status=incident.status.value,
        reported_at=incident.reported_at,
        route=incident.route.value if incident.route else None,
        no_crime_reason=text(incident.no_crime_reason),
        route_override_reason=text(incident.route_override_reason),
        no_prosecution_reason=text(incident.no_prosecution_reason),
        finalised_at=incident.finalised_at,
        link=out.LinkRecord(id=link.id, role=link.role.value, reported_roles=list(link.reported_roles), age_status=link.age_status.value),
        others_involved=[out.OtherPerson(role=other_link.role.value, age_status=other_link.age_status.value) for other_link, _ in others],
        reported_as=[
            out.ReportedAs(
                person=next((entry for entry in (report.content or {}).get("people", []) if entry.get("school_person_id") in own_entry_ids), None),
                where_it_ended_up=text(((report.content or {}).get("image") or {}).get("where_it_ended_up")),
                referral_reasons=text((report.content or {}).get("referral_reasons")),
            )
            for report in reports
        ],
        crimes=[
            out.CrimeRecord(
                id=crime.id, offence_code=crime.offence_code, named_as=NamedAs.victim if crime.victim_person_id == person.id else NamedAs.suspect_or_involved,
                status=crime.status.value, outcome_code=crime.outcome_code, public_interest_rationale=text(crime.public_interest_rationale),
                recorded_at=crime.recorded_at, finalised_at=crime.finalised_at,
            )
            for crime in crimes
        ],
        ppu_notifications=[
            out.PPURecord(
                id=notification.id, created_at=notification.created_at, acknowledged_at=notification.acknowledged_at,
                updates=[
                    out.PPUUpdateRecord(id=update.id, source=update.source, text=text(update.text) or "", created_at=update.created_at)
                    for update in updates if update.notification_id == notification.id
                ],
            )
            for notification in notifications
        ],
        education=[
            out.EducationRecordOut(id=row.id, kind=row.kind.value, delivered_on=row.delivered_on, description=text(row.description) or "")
            for row in education
        ],
        restorative_meetings=[out.MeetingRecord(id=row.id, held_on=row.held_on, outcome=text(row.outcome) or "") for row in meetings],
    )
