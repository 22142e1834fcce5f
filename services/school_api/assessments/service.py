"""Risk assessment: the DSL's answers, checked against the record, and the recommendation (rules/assessment.py)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

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
from shared.audit import AUDIT_APPEND_CALL, audit_append_parameters, pending_rows, shown_as
from shared.context import Context
from shared.db import built_values
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused
from shared.tenancy import refuse_foreign_write

RECORD = "risk_assessment"


def person_facts(person: Any) -> PersonFacts:
    """Of a `Person`, or of a row with its kind, roles, date of birth, age and vulnerabilities."""
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


async def assess(ctx: Context, incident_id: uuid.UUID, data: AssessmentCreate) -> tuple[RiskAssessment, int]:
    """The assessment recorded, and its incident's version as this request left it.

    The reads and audit events of `get_writable_incident` and `facts_of`, and the writes of an ORM flush,
    in Core statements built once: the incident and its people in one SELECT (the school's URN in its
    WHERE clause, as the tenant guard adds it), the assessment and the incident's move on in one write."""
    connection = await _connection(ctx.session)
    rows = (await connection.execute(_RECORD_READ, {"incident_id": incident_id, "school_urn": ctx.actor.tenant})).all()
    if not rows or not incidents.reachable_by(ctx, rows[0].created_by):
        raise incidents.not_found()
    incident = rows[0]
    ctx.audit.record("incident.assessment.append", incidents.RECORD, incident_id)
    incidents.check_writable(incident.status)
    involved = [row for row in rows if row.person_id is not None]
    for person in involved:
        ctx.audit.record("person.read", people.RECORD, person.person_id)
    facts = derive_facts((person_facts(person) for person in involved), incident.sharing_extent, incident.disclosed_at.date())
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
        incident_id=incident_id,
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
    # The first assessment moves the incident on; later ones (S-IMMEDIATE: "at any later point") are added.
    moves_on = incident.status is IncidentStatus.open
    if moves_on:
        incidents.check_transition(incident.status, IncidentStatus.assessed)
    ctx.audit.record("risk_assessment.create", RECORD, assessment.id)
    # The incident's new version is known from the record in hand: read as the answer's ETag, audited as
    # the read it is, without a second SELECT.
    ctx.audit.record("incident.read", incidents.RECORD, incident_id)
    await _write(ctx, connection, assessment, incident.version if moves_on else None)
    return assessment, incident.version + 1 if moves_on else incident.version


async def _connection(session: AsyncSession) -> AsyncConnection:
    # On PostgreSQL a request that starts here runs each statement as its own transaction: the read takes
    # no lock, so in READ COMMITTED it sees what it would have seen inside a transaction, and the write is
    # one statement, all or nothing. No BEGIN and COMMIT: two round trips fewer.
    if session.bind is not None and session.bind.dialect.name == "postgresql" and not session.in_transaction():
        return await session.connection(execution_options=_EACH_STATEMENT_ITS_OWN_TRANSACTION)
    return await session.connection()


async def _write(ctx: Context, connection: AsyncConnection, assessment: RiskAssessment, moved_from_version: int | None) -> None:
    """Insert the assessment and, when `moved_from_version` is given, move the incident on from that
    version to `assessed` (refused as an ORM flush refuses it when another request changed it meanwhile).
    On PostgreSQL both and the request's audit rows are one statement; on SQLite the audit rows follow at
    the end of the request, as usual."""
    refuse_foreign_write(ctx.session.sync_session, assessment)
    values = built_values(assessment)
    moving_on = {} if moved_from_version is None else {
        "moving_incident": assessment.incident_id,
        "moving_school": assessment.school_urn,
        "from_version": moved_from_version,
        "to_version": moved_from_version + 1,
        "to_status": IncidentStatus.assessed,
        "moved_at": ctx.now,
    }
    if connection.dialect.name == "postgresql":
        parameters = {f"value_{name}": value for name, value in values.items()} | moving_on
        parameters |= audit_append_parameters(pending_rows(ctx.audit, ctx.clock.now()))
        if (await connection.execute(_WRITE[moved_from_version is not None], parameters)).first() is None:
            raise _stale()
        ctx.audit.events.clear()
        return
    if moving_on and (await connection.execute(_MOVE_ON, moving_on)).rowcount != 1:
        raise _stale()
    await connection.execute(insert(_ASSESSMENTS), values)


def _stale() -> StaleDataError:
    return StaleDataError("UPDATE statement on table 'incidents' expected to update 1 row(s); 0 were matched.")


_EACH_STATEMENT_ITS_OWN_TRANSACTION = {"isolation_level": "AUTOCOMMIT"}
_INCIDENTS = Incident.__table__
_PEOPLE = Person.__table__
_ASSESSMENTS = RiskAssessment.__table__

# The incident's state and the facts of its people, oldest first (as `list_people` orders them). No sealed
# column of the incident is selected, and of a person's only the date of birth, which the rules read.
_RECORD_READ = (
    select(
        _INCIDENTS.c.school_urn,
        _INCIDENTS.c.status,
        _INCIDENTS.c.sharing_extent,
        _INCIDENTS.c.disclosed_at,
        _INCIDENTS.c.version,
        _INCIDENTS.c.created_by,
        _PEOPLE.c.id.label("person_id"),
        _PEOPLE.c.kind,
        _PEOPLE.c.roles,
        _PEOPLE.c.date_of_birth,
        _PEOPLE.c.age_years,
        _PEOPLE.c.vulnerabilities,
    )
    .select_from(
        _INCIDENTS.outerjoin(
            _PEOPLE, and_(_PEOPLE.c.incident_id == _INCIDENTS.c.id, _PEOPLE.c.school_urn == bindparam("school_urn"))
        )
    )
    .where(_INCIDENTS.c.id == bindparam("incident_id"), _INCIDENTS.c.school_urn == bindparam("school_urn"))
    .order_by(_PEOPLE.c.created_at, _PEOPLE.c.id)
)

# What the ORM's flush sends for `transition` on a versioned row.
_MOVE_ON = (
    update(_INCIDENTS)
    .where(
        _INCIDENTS.c.id == bindparam("moving_incident"),
        _INCIDENTS.c.school_urn == bindparam("moving_school"),
        _INCIDENTS.c.version == bindparam("from_version"),
    )
    .values(
        status=bindparam("to_status", type_=_INCIDENTS.c.status.type),
        updated_at=bindparam("moved_at", type_=_INCIDENTS.c.updated_at.type),
        version=bindparam("to_version", type_=_INCIDENTS.c.version.type),
    )
)


def _postgresql_write(moves_on: bool) -> Any:
    """The assessment's INSERT (after the incident's move on, and only if it moved), then `audit_append`:
    no row comes back when the incident had changed, and then nothing was written."""
    columns = [column.key for column in _ASSESSMENTS.columns]
    values = [bindparam(f"value_{column.key}", type_=column.type) for column in _ASSESSMENTS.columns]
    if moves_on:
        moved = _MOVE_ON.returning(_INCIDENTS.c.id).cte("moved_on")
        inserted = insert(_ASSESSMENTS).from_select(columns, select(*values).select_from(moved))
    else:
        inserted = insert(_ASSESSMENTS).values(dict(zip(columns, values, strict=True)))
    written = inserted.returning(_ASSESSMENTS.c.id).cte("inserted")
    return select(written.c.id, AUDIT_APPEND_CALL).select_from(written)


_WRITE = {moves_on: _postgresql_write(moves_on) for moves_on in (False, True)}


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
