"""People involved in an incident. An adult in any role is what S-POLICE and S-IMMEDIATE react to."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.school_api.incidents import service as incidents
from services.school_api.people.models import Person
from services.school_api.people.schemas import PersonCreate, PersonUpdate
from services.school_api.people.vocabulary import PersonKind, Sex
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import Conflict, NotFound, ValidationFailed

RECORD = "person"
# The police contract takes at most 50 people per report (SchoolReportIn.people).
MAX_PEOPLE_PER_INCIDENT = 50


async def add_person(ctx: Context, incident_id: uuid.UUID, data: PersonCreate) -> Person:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.person.append")
    count = await ctx.session.scalar(select(func.count()).select_from(Person).where(Person.incident_id == incident.id))
    if (count or 0) >= MAX_PEOPLE_PER_INCIDENT:
        raise Conflict(f"An incident records at most {MAX_PEOPLE_PER_INCIDENT} people.")
    person = Person(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        kind=data.kind,
        roles=[role.value for role in data.roles],
        given_name=data.given_name,
        family_name=data.family_name,
        upn=data.upn,
        date_of_birth=data.date_of_birth,
        age_years=data.age_years,
        sex=data.sex or Sex.not_known,
        year_group=data.year_group,
        other_school_urn=data.other_school_urn,
        vulnerabilities=[flag.value for flag in data.vulnerabilities or []],
        created_by=ctx.actor.subject,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(person)
    await ctx.session.flush()
    ctx.audit.record("person.create", RECORD, person.id)
    return person


async def list_people(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[Person]:
    rows = list(
        (
            await ctx.session.scalars(
                select(Person).where(Person.incident_id == incident_id).order_by(Person.created_at, Person.id)
            )
        ).all()
    )
    if audit:
        for row in rows:
            ctx.audit.record("person.read", RECORD, row.id)
    return rows


async def get_person(ctx: Context, incident_id: uuid.UUID, person_id: uuid.UUID) -> Person:
    person = await ctx.session.scalar(select(Person).where(Person.id == person_id, Person.incident_id == incident_id))
    if person is None:
        raise NotFound("No such person on this incident in your school.")
    ctx.audit.record("person.read", RECORD, person.id)
    return person


async def update_person(
    ctx: Context, incident_id: uuid.UUID, person_id: uuid.UUID, data: PersonUpdate, expected_version: int
) -> Person:
    await incidents.get_writable_incident(ctx, incident_id, operation="incident.person.update")
    person = await get_person(ctx, incident_id, person_id)
    check_version(person.version, expected_version)
    sent = data.model_fields_set
    for name in ("given_name", "family_name", "upn", "date_of_birth", "age_years", "year_group", "other_school_urn"):
        if name in sent:
            setattr(person, name, getattr(data, name))
    # A date of birth or an age: sending one replaces the other.
    if "date_of_birth" in sent and data.date_of_birth is not None and "age_years" not in sent:
        person.age_years = None
    if "age_years" in sent and data.age_years is not None and "date_of_birth" not in sent:
        person.date_of_birth = None
    if data.kind is not None:
        person.kind = data.kind
    if data.roles is not None:
        person.roles = [role.value for role in data.roles]
    if "sex" in sent:
        person.sex = data.sex or Sex.not_known
    if "vulnerabilities" in sent:
        person.vulnerabilities = [flag.value for flag in data.vulnerabilities or []]
    if person.upn is not None and person.kind not in (PersonKind.pupil, PersonKind.child_elsewhere):
        raise ValidationFailed("A UPN belongs to a pupil: remove it or keep the person's kind.")
    person.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("person.update", RECORD, person.id)
    return person


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(Person.created_at, Person.id, newest_first=False)


async def page_people(
    ctx: Context, incident_id: uuid.UUID, *, kind: PersonKind | None = None, upn: str | None = None, cursor: str | None, limit: int
) -> tuple[list[Person], str | None]:
    query = select(Person).where(Person.incident_id == incident_id)
    if kind is not None:
        query = query.where(Person.kind == kind)
    if upn is not None:
        # The UPN is encrypted at rest, so no SQL can compare it: the incident's few people are opened here.
        everyone = (await ctx.session.scalars(select(Person).where(Person.incident_id == incident_id))).all()
        query = query.where(Person.id.in_([person.id for person in everyone if person.upn == upn.upper()]))
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    # The UPN asked for is not kept in the audit row (it is personal data); the people it found are.
    ctx.audit.list_page("person.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
