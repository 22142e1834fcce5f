"""Risk assessment: the DSL's answers, checked against the record, and the recommendation (rules/assessment.py)."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.assessments.models import RiskAssessment
from services.school_api.assessments.schemas import AssessmentCreate
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.people import service as people
from services.school_api.people.models import Person
from services.school_api.people.vocabulary import PersonKind, PersonRole, Vulnerability
from services.school_api.rules.assessment import FactorAnswers, ImmediateAnswers, recommend, s_factors, s_immediate, s_typology
from services.school_api.rules.facts import PersonFacts, RecordFacts, derive_facts
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused

RECORD = "risk_assessment"


def person_facts(person: Person) -> PersonFacts:
    return PersonFacts(
        kind=PersonKind(person.kind),
        roles=frozenset(PersonRole(role) for role in person.roles),
        date_of_birth=person.date_of_birth,
        age_years=person.age_years,
        vulnerabilities=frozenset(Vulnerability(flag) for flag in person.vulnerabilities),
    )


async def facts_of(ctx: Context, incident: Incident) -> RecordFacts:
    rows = await people.list_people(ctx, incident.id)
    return derive_facts((person_facts(row) for row in rows), incident.sharing_extent, incident.disclosed_at.date())


async def assess(ctx: Context, incident_id: uuid.UUID, data: AssessmentCreate) -> tuple[RiskAssessment, Incident]:
    """The assessment recorded, and its incident as this request left it."""
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.assessment.append")
    facts = await facts_of(ctx, incident)
    immediate_answers = ImmediateAnswers(**data.immediate.model_dump())
    factor_answers = FactorAnswers(**data.factors.model_dump())
    immediate = s_immediate(immediate_answers, facts)
    factors = s_factors(factor_answers, facts)
    violations = immediate.violations + factors.violations + s_typology(data.typology, facts, immediate_answers)
    if violations:
        raise RuleRefused("The assessment contradicts the record.", violations=violations)
    outcome = recommend(immediate, factors, data.typology)
    assessment = RiskAssessment(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        immediate_answers=data.immediate.model_dump(),
        factor_answers=data.factors.model_dump(),
        immediate_criteria_met=[str(c) for c in immediate.met],
        factors_present=[str(f) for f in factors.met],
        typology=data.typology,
        recommendation=outcome.recommendation,
        rule_ids=outcome.rule_ids,
        reasons=outcome.reasons,
        notes=data.notes,
        assessed_by=ctx.actor.subject,
        assessed_at=ctx.now,
    )
    ctx.session.add(assessment)
    # The first assessment moves the incident on; later ones (S-IMMEDIATE: "at any later point") are added.
    if incident.status is IncidentStatus.open:
        incidents.transition(ctx, incident, IncidentStatus.assessed)
    await ctx.session.flush()
    ctx.audit.record("risk_assessment.create", RECORD, assessment.id)
    return assessment, incident


async def list_assessments(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[RiskAssessment]:
    query = select(RiskAssessment).where(RiskAssessment.incident_id == incident_id).order_by(RiskAssessment.assessed_at, RiskAssessment.id)
    rows = list((await ctx.session.scalars(query)).all())
    if audit:
        for row in rows:
            ctx.audit.record("risk_assessment.read", RECORD, row.id)
    return rows


async def latest(ctx: Context, incident_id: uuid.UUID) -> RiskAssessment | None:
    rows = await list_assessments(ctx, incident_id, audit=False)
    if rows:
        ctx.audit.record("risk_assessment.read", RECORD, rows[-1].id)
    return rows[-1] if rows else None


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(RiskAssessment.assessed_at, RiskAssessment.id, newest_first=False)


async def page_assessments(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[RiskAssessment], str | None]:
    query = select(RiskAssessment).where(RiskAssessment.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("risk_assessment.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
