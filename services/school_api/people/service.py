"""People involved in an incident. An adult in any role is what S-POLICE and S-IMMEDIATE react to."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.school_api.incidents import service as incidents
from services.school_api.people.models import Person
from services.school_api.people.schemas import PersonCreate, PersonUpdate
from services.school_api.people.vocabulary import Sex
from shared.concurrency import check_version
from services.school_api.database import flush_versioned
from shared.context import Context
from shared.problems import Conflict, NotFound

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
    merged = PersonCreate.model_validate(
        {
            "kind": data.kind if "kind" in data.model_fields_set and data.kind else person.kind,
            "roles": data.roles if "roles" in data.model_fields_set and data.roles else person.roles,
            **{
                name: getattr(data, name) if name in data.model_fields_set else getattr(person, name)
                for name in ("given_name", "family_name", "upn", "age_years", "sex", "year_group", "other_school_urn", "vulnerabilities", "date_of_birth")
            },
        }
    )
    person.kind = merged.kind
    person.roles = [role.value for role in merged.roles]
    for name in ("given_name", "family_name", "upn", "date_of_birth", "age_years", "year_group", "other_school_urn"):
        setattr(person, name, getattr(merged, name))
    person.sex = merged.sex or Sex.not_known
    person.vulnerabilities = [flag.value for flag in merged.vulnerabilities or []]
    person.updated_at = ctx.now
    await flush_versioned(ctx.session)
    ctx.audit.record("person.update", RECORD, person.id)
    return person
