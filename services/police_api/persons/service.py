"""The nominal index: finding a person again, linking them to incidents (P-CRIME), merging records."""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import inspect, select, update

from services.police_api.crimes import service as crimes
from services.police_api.crimes.models import Crime, CrimeSubject
from services.police_api.database import Base
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.persons.models import Person, PersonLink, PersonLinkChange, PersonMerge
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from services.police_api.persons.index_keys import upn_key
from services.police_api.ppu import service as ppu
from services.police_api.routing.models import EducationRecord
from services.police_api.reports.models import SchoolReport
from services.police_api.rules.links import check_link_role, derive_link_role, is_aggravated
from services.police_api.rules.offences import age_in_years, age_status
from services.police_api.ppu.models import PPUNotification
from shared.concurrency import check_version
from shared.context import Context
from shared.encryption import KeyRing, data_keys
from shared.pagination import Keyset, fetch_rows_page
from shared.problems import Conflict, NotFound, RuleRefused, ValidationFailed

PERSON = "person"
LINK = "person_link"


@dataclass(frozen=True)
class PersonDetails:
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    age_years: int | None = None
    kind: str | None = None
    sex: str = "not_known"
    upn: str | None = None


def name_key(given_name: str | None, family_name: str | None) -> str | None:
    """Case, accents, punctuation and spacing do not make a different person: 'O'Brien, Zoë' = 'obrien zoe'."""
    parts = []
    for part in (given_name, family_name):
        if not part:
            continue
        folded = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().casefold()
        folded = re.sub(r"[^a-z\s-]", "", folded).replace("-", " ")
        folded = " ".join(folded.split())
        if folded:
            parts.append(folded)
    return " ".join(parts) if parts else None


def name_dob_key(
    given_name: str | None, family_name: str | None, date_of_birth: date | None, ring: KeyRing | None = None
) -> str | None:
    """The normalised name with the date of birth, as one keyed hash: the same person after normalisation,
    and no one else, has the same key (an exact match; a misspelt name is not found, as it was not before)."""
    key = name_key(given_name, family_name)
    if key is None or date_of_birth is None:
        return None
    return (ring or data_keys(Base.metadata)).keyed_hash("person.name_dob", f"{key}|{date_of_birth.isoformat()}")


async def _resolve(ctx: Context, person: Person) -> Person:
    seen = set()
    while person.merged_into_id is not None and person.id not in seen:
        seen.add(person.id)
        person = await ctx.session.get_one(Person, person.merged_into_id)
    return person


async def find_or_create(ctx: Context, details: PersonDetails, *, unwritten: list[Person] | None = None) -> Person:
    """Find the person again in this force's index (UPN first, then normalised name and date of birth), or add them.

    `unwritten`: the persons this request added and writes at its end (intake writes its rows in one
    statement); they are looked among after the index, as the index finds them once they are written, and a
    person added joins them. Without it, a person added joins the session."""
    by_upn = upn_key(details.upn)
    by_name = name_dob_key(details.given_name, details.family_name, details.date_of_birth)
    among = unwritten or []
    found: Person | None = None
    if by_upn is not None:
        found = await ctx.session.scalar(select(Person).where(Person.upn_key == by_upn).order_by(Person.created_at).limit(1))
        found = found or next((person for person in among if person.upn_key == by_upn), None)
    if found is None and by_name is not None:
        found = await ctx.session.scalar(
            select(Person).where(Person.name_dob_key == by_name).order_by(Person.created_at).limit(1)
        )
        found = found or next((person for person in among if person.name_dob_key == by_name), None)
    age = age_status(kind=details.kind, date_of_birth=details.date_of_birth, age_years=details.age_years, on=ctx.now.date())
    if found is not None:
        person = await _resolve(ctx, found)
        before = _what_the_index_holds(person)
        # Fill what was missing; never overwrite what the index already holds.
        if person.upn is None and details.upn:
            person.upn = details.upn
        if person.date_of_birth is None and details.date_of_birth:
            person.date_of_birth = details.date_of_birth
        if person.age_status is PersonAge.unknown and age is not PersonAge.unknown:
            person.age_status = age
        if name_key(person.given_name, person.family_name) is None and name_key(details.given_name, details.family_name) is not None:
            person.given_name, person.family_name = details.given_name, details.family_name
        _index(person)
        ctx.audit.record("person.match", PERSON, person.id)
        if _what_the_index_holds(person) != before:
            person.updated_at = ctx.now
            if person in among:
                # Counted as the change it was when each reported person was written before the next was read.
                person.version += 1
            ctx.audit.record("person.update", PERSON, person.id)
        return person
    person = Person(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        given_name=details.given_name,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        upn=details.upn,
        name_dob_key=by_name,
        upn_key=by_upn,
        sex=details.sex,
        age_status=age,
        merged_into_id=None,
        created_at=ctx.now,
        updated_at=ctx.now,
        version=1,
    )
    if unwritten is None:
        ctx.session.add(person)  # written with the request's next flush
    else:
        unwritten.append(person)
    ctx.audit.record("person.create", PERSON, person.id)
    return person


def _what_the_index_holds(person: Person) -> tuple[Any, ...]:
    """What finding a person again may fill in (and the lookup hashes kept in step with it)."""
    return (
        person.upn, person.date_of_birth, person.age_status, person.given_name, person.family_name, person.upn_key, person.name_dob_key,
    )


def check_role(role: LinkRole, age_years: int | None) -> None:
    violations = check_link_role(role, age_years)
    if violations:
        raise RuleRefused("The person cannot be linked with that role.", violations=violations)


def age_at_incident(link: PersonLink, person: Person, incident: PoliceIncident) -> int | None:
    """The person's age when the incident was reported: a date of birth the index has since learnt decides."""
    return age_in_years(date_of_birth=person.date_of_birth, age_years=link.age_years, on=incident.created_at.date())
def _index(person: Person) -> None:
    """Keep the lookup hashes in step with what the record now holds."""
    person.upn_key = upn_key(person.upn)
    person.name_dob_key = name_dob_key(person.given_name, person.family_name, person.date_of_birth)


async def link_person(
    ctx: Context, incident: PoliceIncident, person: Person, *, role: LinkRole, reported_roles: list[str],
    age: PersonAge, school_person_id: uuid.UUID | None, age_years: int | None = None, set_by_officer: bool = False,
) -> PersonLink:
    """An officer links a person to an incident, and the PPU is notified if they are a child (P-PPU)."""
    link = new_link(
        ctx, incident, person, role=role, reported_roles=reported_roles, age=age, school_person_id=school_person_id,
        age_years=age_years, set_by_officer=set_by_officer,
    )
    existing = await ctx.session.scalar(
        select(PersonLink).where(PersonLink.incident_id == incident.id, PersonLink.person_id == person.id)
    )
    if existing is not None:
        raise Conflict("That person is already linked to this incident; change the existing link instead.")
    ctx.session.add(link)
    ctx.audit.record("person_link.create", LINK, link.id)
    await ppu.notify_if_child(ctx, incident, person.id, age)
    return link


def new_link(
    ctx: Context, incident: PoliceIncident, person: Person, *, role: LinkRole, reported_roles: list[str],
    age: PersonAge, school_person_id: uuid.UUID | None, age_years: int | None = None, set_by_officer: bool = False,
) -> PersonLink:
    """A new link of a person to an incident, every column set, for the caller to write and audit; refused if
    the rules do not allow the role. The caller looks for an existing link (intake need not: the incident is
    its own, and it links each person once)."""
    check_role(role, age_years)
    return PersonLink(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        person_id=person.id,
        role=role,
        reported_roles=sorted(set(reported_roles)),
        age_status=age,
        age_years=age_years,
        role_set_by_officer=set_by_officer,
        school_person_id=school_person_id,
        created_at=ctx.now,
        updated_at=ctx.now,
        version=1,
    )


async def link_by_officer(
    ctx: Context,
    incident: PoliceIncident,
    *,
    person_id: uuid.UUID | None,
    details: PersonDetails | None,
    role: LinkRole | None,
    reported_roles: list[str],
) -> tuple[PersonLink, Person]:
    """An officer links a person found in the index, or found again / added by their details (P-CRIME).

    Without a role, the role is derived as at intake, with the incident's aggravation judged from what the
    school reported and from everyone already linked, this person included (rules.links)."""
    if (person_id is None) == (details is None):
        raise ValidationFailed("Send either person_id or person.")
    if role is None and not reported_roles:
        raise ValidationFailed("Send a role, or the reported roles to derive it from.")
    today = ctx.now.date()
    if details is not None:
        person = await find_or_create(ctx, details)
        age = age_status(kind=details.kind, date_of_birth=details.date_of_birth, age_years=details.age_years, on=today)
        years = age_in_years(date_of_birth=details.date_of_birth or person.date_of_birth, age_years=details.age_years, on=today)
    else:
        person = await get_person(ctx, person_id)  # type: ignore[arg-type]
        age = person.age_status
        years = age_in_years(date_of_birth=person.date_of_birth, age_years=None, on=today)
    set_by_officer = role is not None
    if role is None:
        already = [(link.reported_roles, link.age_status) for link, _person in await links_of(ctx, incident.id)]
        aggravated = is_aggravated(await _reported_typology(ctx, incident.id), [*already, (reported_roles, age)])
        role = derive_link_role(reported_roles, age, aggravated=aggravated, age_years=years)
    link = await link_person(
        ctx, incident, person, role=role, reported_roles=reported_roles, age=age, school_person_id=None,
        age_years=years, set_by_officer=set_by_officer,
    )
    incident.updated_at = ctx.now
    return link, person


async def _reported_typology(ctx: Context, incident_id: uuid.UUID) -> str | None:
    """The typology the school's risk assessment gave, when the incident came from a school report."""
    row = (
        await ctx.session.execute(
            select(SchoolReport.id, SchoolReport.content).where(SchoolReport.police_incident_id == incident_id)
        )
    ).first()
    if row is None:
        return None
    ctx.audit.record("school_report.read", "school_report", row.id)
    assessment = (row.content or {}).get("risk_assessment") or {}
    return assessment.get("typology")


async def links_of(ctx: Context, incident_id: uuid.UUID) -> list[tuple[PersonLink, Person]]:
    rows = (
        await ctx.session.execute(
            select(PersonLink, Person)
            .join(Person, Person.id == PersonLink.person_id)
            .where(PersonLink.incident_id == incident_id)
            .order_by(PersonLink.created_at, PersonLink.id)
        )
    ).all()
    for link, person in rows:
        ctx.audit.record("person_link.read", LINK, link.id)
        ctx.audit.record("person.read", PERSON, person.id)
    return [(link, person) for link, person in rows]


LINKS_OLDEST_FIRST = Keyset(PersonLink.created_at, PersonLink.id, newest_first=False, of=lambda row: row[0])


async def page_links(
    ctx: Context, incident_id: uuid.UUID, *, role: LinkRole | None, upn: str | None, cursor: str | None, limit: int
) -> tuple[list[tuple[PersonLink, Person]], str | None]:
    query = select(PersonLink, Person).join(Person, Person.id == PersonLink.person_id).where(PersonLink.incident_id == incident_id)
    if role is not None:
        query = query.where(PersonLink.role == role)
    if upn is not None:
        query = query.where(Person.upn_key == upn_key(upn.upper()))
    rows, next_cursor = await fetch_rows_page(ctx.session, query, LINKS_OLDEST_FIRST, cursor, limit)
    # Each link shows its person; the UPN asked for is not kept (personal data), the links it found are.
    shown = [record for link, person in rows for record in ((LINK, link.id), (PERSON, person.id))]
    ctx.audit.list_page("person_link.list", LINK, shown, within=(incidents.RECORD, incident_id))
    return [(link, person) for link, person in rows], next_cursor


async def incident_links(ctx: Context, incident_id: uuid.UUID) -> list[PersonLink]:
    """The incident's links without their persons, for the rules that need only roles and ages."""
    links = list((await ctx.session.scalars(select(PersonLink).where(PersonLink.incident_id == incident_id))).all())
    for link in links:
        ctx.audit.record("person_link.read", LINK, link.id)
    return links


async def get_link(ctx: Context, link_id: uuid.UUID) -> PersonLink:
    link = await ctx.session.scalar(select(PersonLink).where(PersonLink.id == link_id))
    if link is None:
        raise NotFound("No such link in your force.")
    ctx.audit.record("person_link.read", LINK, link.id)
    return link


async def change_link_role(
    ctx: Context, link: PersonLink, incident: PoliceIncident, role: LinkRole, reason: str, expected_version: int
) -> PersonLink:
    """P-CRIME: an officer changes the role intake proposed, with the reason kept beside the change;
    P-AGE-OF-RESPONSIBILITY: never to an offender's role for a child under 10."""
    check_version(link.version, expected_version)
    person = await ctx.session.get_one(Person, link.person_id)
    check_role(role, age_at_incident(link, person, incident))
    change = PersonLinkChange(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        link_id=link.id,
        old_role=link.role,
        new_role=role,
        reason=reason,
        changed_by=ctx.actor.audit_label,
        changed_at=ctx.now,
    )
    link.role = role
    link.role_set_by_officer = True
    link.updated_at = ctx.now
    ctx.session.add(change)
    await ctx.session.flush()
    ctx.audit.record("person_link.update", LINK, link.id)
    ctx.audit.record("person_link_change.create", "person_link_change", change.id)
    return link


async def get_person(ctx: Context, person_id: uuid.UUID) -> Person:
    person = await ctx.session.scalar(select(Person).where(Person.id == person_id))
    if person is None:
        raise NotFound("No such person in your force.")
    ctx.audit.record("person.read", PERSON, person.id)
    return person


async def merge(ctx: Context, kept_id: uuid.UUID, duplicate_id: uuid.UUID, reason: str, expected_version: int) -> Person:
    """Two records turn out to be one person: move the duplicate's links, crimes and notifications to
    the kept record, mark the duplicate merged, and keep who did it and why (an audited officer action)."""
    if kept_id == duplicate_id:
        raise ValidationFailed("A person cannot be merged into themselves.")
    kept = await get_person(ctx, kept_id)
    duplicate = await get_person(ctx, duplicate_id)
    check_version(kept.version, expected_version)
    if kept.merged_into_id is not None or duplicate.merged_into_id is not None:
        raise Conflict("One of these records was already merged into another.")
    kept_incidents = set(
        (await ctx.session.scalars(select(PersonLink.incident_id).where(PersonLink.person_id == kept.id))).all()
    )
    duplicate_incidents = set(
        (await ctx.session.scalars(select(PersonLink.incident_id).where(PersonLink.person_id == duplicate.id))).all()
    )
    if kept_incidents & duplicate_incidents:
        raise Conflict("Both records are linked to the same incident: remove or correct one link first.")
    moved: dict[str, int] = {}
    for name, model, column, record_type in (
        ("links", PersonLink, PersonLink.person_id, LINK),
        ("crime_victims", Crime, Crime.victim_person_id, crimes.RECORD),
        ("crime_subjects", CrimeSubject, CrimeSubject.person_id, crimes.SUBJECT),
        ("ppu_notifications", PPUNotification, PPUNotification.person_id, ppu.RECORD),
        ("education_records", EducationRecord, EducationRecord.person_id, "education_record"),
    ):
        values: dict[str, Any] = {column.key: kept.id}
        if inspect(model).version_id_col is not None:
            # A moved row has changed like any edited one: a version held from before the merge must no
            # longer match (If-Match answers 412), and a bulk UPDATE does not bump it by itself.
            values |= {"version": model.version + 1, "updated_at": ctx.now}
        # RETURNING names each moved row for its own audit event, in the same statement.
        moved_ids = (
            await ctx.session.scalars(
                update(model)
                .where(column == duplicate.id)
                .values(values)
                .returning(model.id)
                .execution_options(synchronize_session="fetch")
            )
        ).all()
        for row_id in moved_ids:
            ctx.audit.record(f"{record_type}.update", record_type, row_id)
        moved[name] = len(moved_ids)
    duplicate.merged_into_id = kept.id
    duplicate.updated_at = ctx.now
    kept.upn = kept.upn or duplicate.upn
    kept.date_of_birth = kept.date_of_birth or duplicate.date_of_birth
    _index(kept)
    kept.updated_at = ctx.now
    merge_record = PersonMerge(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        kept_person_id=kept.id,
        merged_person_id=duplicate.id,
        reason=reason,
        moved=moved,
        merged_by=ctx.actor.audit_label,
        merged_at=ctx.now,
    )
    ctx.session.add(merge_record)
    await ctx.session.flush()
    ctx.audit.record("person.merge", PERSON, kept.id)
    ctx.audit.record("person.merged_away", PERSON, duplicate.id)
    ctx.audit.record("person_merge.create", "person_merge", merge_record.id)
    return kept


async def person_history(ctx: Context, person_id: uuid.UUID) -> list[tuple[PersonLink, PoliceIncident]]:
    rows = (
        await ctx.session.execute(
            select(PersonLink, PoliceIncident)
            .join(PoliceIncident, PoliceIncident.id == PersonLink.incident_id)
            .where(PersonLink.person_id == person_id)
            .order_by(PoliceIncident.created_at)
        )
    ).all()
    for link, incident in rows:
        ctx.audit.record("person_link.read", LINK, link.id)
        ctx.audit.record("police_incident.read", incidents.RECORD, incident.id)
    return [(link, incident) for link, incident in rows]
