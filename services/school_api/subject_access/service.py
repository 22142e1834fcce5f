"""Everything the school holds about one person, for a subject access request (UK GDPR Art. 15).

The school keeps a person per incident, so the person is found again in other incidents by UPN, or
failing it by name and date of birth together. Every record put in the export is audited as read
for the export (`subject_access.export`), so the audit says exactly what was disclosed, to whom; the other
people of an incident, read only to withhold their names, as `subject_access.redact`.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.school_api.actions.models import ActionEntry
from services.school_api.assessments.models import RiskAssessment
from services.school_api.decisions.models import Decision
from services.school_api.devices.models import Device
from services.school_api.incidents.models import Incident, Observation
from services.school_api.narratives.models import NarrativeVersion
from services.school_api.people import service as people
from services.school_api.people.models import Person
from services.school_api.referrals.models import PoliceReferral
from services.school_api.reviews.models import Review
from services.school_api.searches.models import DeviceSearch
from services.school_api.subject_access import schemas as out
from services.school_api.subject_access.vocabulary import MatchedBy
from shared.redaction import names_to_redact, redact
from shared.context import Context

OPERATION = "subject_access.export"
REDACTED_READ = "subject_access.redact"
REDACTIONS = [
    "Other people in the same incidents appear by kind and roles only, and their names are replaced by "
    "'[another person]' in every text (UK GDPR Art. 15(4)): disclosing another child's involvement would "
    "adversely affect their rights. Other free-text mentions of them (nicknames, descriptions) are not "
    "detected automatically: the DSL reads the export before it is released.",
    "Staff are named by role, not identity.",
    "The images themselves are never held by this service.",
]


async def matching_records(ctx: Context, person: Person) -> tuple[list[Person], MatchedBy]:
    """The school's records of the same person: by UPN, else by name and date of birth. Those columns are
    encrypted at rest (no SQL can compare them), so the school's people are opened and compared here: one
    school's people are a few hundred rows at most, and only a DSL's export asks."""
    if person.upn:
        matched_by = MatchedBy.upn

        def same(other: Person) -> bool:
            return other.upn == person.upn
    elif person.given_name and person.family_name and person.date_of_birth:
        matched_by = MatchedBy.name_and_date_of_birth

        def same(other: Person) -> bool:
            return (
                (other.given_name or "").lower() == person.given_name.lower()
                and (other.family_name or "").lower() == person.family_name.lower()
                and other.date_of_birth == person.date_of_birth
            )
    else:
        return [person], MatchedBy.this_record
    everyone = (await ctx.session.scalars(select(Person).order_by(Person.created_at))).all()
    return [other for other in everyone if same(other)], matched_by


async def export(ctx: Context, incident_id: uuid.UUID, person_id: uuid.UUID) -> out.SubjectAccessExport:
    person = await people.get_person(ctx, incident_id, person_id)
    records, matched_by = await matching_records(ctx, person)
    files = [await _incident_file(ctx, record) for record in records]
    ctx.audit.record(OPERATION, "person", person.id)
    return out.SubjectAccessExport(
        exported_at=ctx.now,
        exported_by_role=ctx.actor.role,
        matched_by=matched_by,
        redactions=REDACTIONS,
        incidents=[file for file in files if file is not None],
    )


async def _rows(ctx: Context, query: Any, record_type: str) -> Sequence[Any]:
    rows = (await ctx.session.scalars(query)).all()
    for row in rows:
        ctx.audit.record(OPERATION, record_type, row.id)
    return rows


async def _incident_file(ctx: Context, subject: Person) -> out.IncidentFile | None:
    incident = await ctx.session.scalar(select(Incident).where(Incident.id == subject.incident_id))
    if incident is None:
        return None
    ctx.audit.record(OPERATION, "incident", incident.id)
    ctx.audit.record(OPERATION, "person", subject.id)
    others = (await ctx.session.scalars(select(Person).where(Person.incident_id == incident.id, Person.id != subject.id))).all()
    for other in others:
        # Read to withhold: their names are looked up only to take them out of the texts.
        ctx.audit.record(REDACTED_READ, "person", other.id)
    names = names_to_redact(
        [name for other in others for name in (other.given_name, other.family_name)], [subject.given_name, subject.family_name]
    )

    def text(value: str | None) -> str | None:
        return redact(value, names)

    observations = await _rows(ctx, select(Observation).where(Observation.incident_id == incident.id).order_by(Observation.recorded_at), "observation")
    actions = await _rows(ctx, select(ActionEntry).where(ActionEntry.incident_id == incident.id).order_by(ActionEntry.recorded_at), "action")
    assessments = await _rows(ctx, select(RiskAssessment).where(RiskAssessment.incident_id == incident.id).order_by(RiskAssessment.assessed_at), "risk_assessment")
    decisions = await _rows(ctx, select(Decision).where(Decision.incident_id == incident.id).order_by(Decision.decided_at), "decision")
    reviews = await _rows(ctx, select(Review).where(Review.incident_id == incident.id).order_by(Review.reviewed_at), "review")
    devices = await _rows(ctx, select(Device).where(Device.owner_person_id == subject.id).order_by(Device.created_at), "device")
    searches = await _rows(ctx, select(DeviceSearch).where(DeviceSearch.pupil_person_id == subject.id).order_by(DeviceSearch.searched_at), "device_search")
    referrals = await _rows(ctx, select(PoliceReferral).where(PoliceReferral.incident_id == incident.id).order_by(PoliceReferral.created_at), "police_referral")
    history = await _rows(
        ctx, select(NarrativeVersion).where(NarrativeVersion.incident_id == incident.id).order_by(NarrativeVersion.replaced_at), "narrative_version"
    )
    return out.IncidentFile(
        id=incident.id,
        reference=incident.reference,
        status=incident.status.value,
        disclosed_at=incident.disclosed_at,
        disclosure_source=incident.disclosure_source.value,
        image_nature=incident.image_nature.value,
        narrative=text(incident.narrative),
        where_image_ended_up=text(incident.where_image_ended_up),
        resolution=text(incident.resolution),
        subject=out.SubjectRecord(
            id=subject.id, incident_id=subject.incident_id, kind=subject.kind.value, roles=list(subject.roles),
            given_name=subject.given_name, family_name=subject.family_name, upn=subject.upn, date_of_birth=subject.date_of_birth,
            age_years=subject.age_years, sex=subject.sex.value, year_group=subject.year_group, vulnerabilities=list(subject.vulnerabilities),
        ),
        others_involved=[out.OtherPerson(kind=other.kind.value, roles=list(other.roles)) for other in others],
        observations=[
            out.ObservationEntry(id=row.id, observed_at=row.observed_at, text=text(row.text) or "", recorded_by_role=row.recorded_by_role)
            for row in observations
        ],
        actions=[
            out.ActionEntryOut(id=row.id, kind=row.kind.value, taken=row.taken, justification=text(row.justification), occurred_at=row.occurred_at)
            for row in actions
        ],
        assessments=[
            out.AssessmentEntry(
                id=row.id, typology=row.typology.value, recommendation=row.recommendation.value,
                immediate_criteria_met=list(row.immediate_criteria_met), factors_present=list(row.factors_present),
                reasons=[text(reason) or "" for reason in row.reasons], notes=text(row.notes), assessed_at=row.assessed_at,
            )
            for row in assessments
        ],
        decisions=[
            out.DecisionEntry(
                id=row.id, outcome=row.outcome.value, police_channel=row.police_channel.value if row.police_channel else None,
                reasons=text(row.reasons), inform_parents=row.inform_parents,
                parents_not_informed_reason=text(row.parents_not_informed_reason), safeguards=text(row.safeguards), decided_at=row.decided_at,
            )
            for row in decisions
        ],
        reviews=[out.ReviewEntry(id=row.id, outcome=text(row.outcome) or "", reviewed_at=row.reviewed_at) for row in reviews],
        devices=[
            out.DeviceEntry(
                id=row.id, ownership=row.ownership.value, description=text(row.description),
                custody_state=row.custody_state.value if row.custody_state else None, held_by_school=row.held_by_school,
            )
            for row in devices
        ],
        searches=[
            out.SearchEntry(id=row.id, searched_at=row.searched_at, distress_judgement=text(row.distress_judgement) or "", findings=text(row.findings))
            for row in searches
        ],
        referrals=[
            out.ReferralEntry(
                id=row.id, channel=row.channel.value, delivery_state=row.delivery_state.value,
                police_reference=row.police_reference, delivered_at=row.delivered_at,
            )
            for row in referrals
        ],
        narrative_history=[
            out.EarlierText(id=row.id, field=row.field, previous_text=text(row.previous_text), replaced_at=row.replaced_at) for row in history
        ],
    )
