"""What a school's retention is made of: the facts its schedule reads, and what disposing of a file erases.

The schedule is `services/school_api/rules/retention.py`; docs/retention.md explains it. Placing and lifting
holds, the file's status and the disposal itself are the same in both services (shared/retention/service.py);
`SCHOOL_RETENTION` gives them the school's models, tenant and schedule. No FastAPI here.
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
from services.school_api.child_accounts.models import ChildAccount
from services.school_api.database import AuditEntry
from services.school_api.decisions.models import Decision
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices.models import CustodyEvent, Device
from services.school_api.incidents.models import Incident, Observation
from services.school_api.incidents.service import RECORD as INCIDENT
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.initial_reviews.models import InitialReview
from services.school_api.narratives.models import NarrativeVersion
from services.school_api.people.models import Person
from services.school_api.people.vocabulary import PersonKind
from services.school_api.referrals.models import OutboxMessage, PoliceReferral
from services.school_api.retention.models import Disposal, LegalHold
from services.school_api.reviews.models import Review
from services.school_api.rules.retention import Child, IncidentFacts, RetentionDue, is_due, retention_of_incident
from services.school_api.searches.models import DeviceSearch
from services.school_api.viewings.models import ImageViewing
from shared.retention.service import DISPOSED_BY, IncidentRetention, erase_rows

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


def schedule(facts: IncidentFacts, _today: date) -> RetentionDue:
    """The school's schedule does not depend on the day it is read (no periodic review, unlike MoPI)."""
    return retention_of_incident(facts)


# What anonymising leaves of each record of a file: free text and who-columns erased, ids, dates and
# vocabularies kept. Columns that cannot be null get an empty text or DISPOSED_BY.
_ERASED: list[tuple[Any, dict[str, Any]]] = [
    (Observation, {"text": "", "recorded_by": DISPOSED_BY}),
    (ActionEntry, {"justification": None, "performed_by": DISPOSED_BY, "recorded_by": DISPOSED_BY}),
    (RiskAssessment, {"notes": None, "assessed_by": DISPOSED_BY}),
    (
        Decision,
        {"reasons": None, "parents_not_informed_reason": None, "safeguards": None, "factor_reasons": None, "decided_by": DISPOSED_BY},
    ),
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
    (InitialReview, {"attendees": [], "decided": "", "recorded_by": DISPOSED_BY}),
    (ChildAccount, {"account": None, "wishes": None, "heard_by": DISPOSED_BY, "recorded_by": DISPOSED_BY}),
]


def age_at(date_of_birth: date, day: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


async def erase_file(session: AsyncSession, incident: Incident, now: datetime) -> None:
    """Erase the file's personal data and narratives, keep its skeleton, delete its outbox message and
    earlier texts."""
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


SCHOOL_RETENTION = IncidentRetention(
    incident_model=Incident,
    hold_model=LegalHold,
    disposal_model=Disposal,
    tenant_column="school_urn",
    incident_record=INCIDENT,
    audit_model=AuditEntry,
    facts_of=facts_of,
    schedule=schedule,
    is_due=is_due,
    erase=erase_file,
    nothing_left_to_hold="The incident's file has been disposed of already; there is nothing left to hold.",
)
