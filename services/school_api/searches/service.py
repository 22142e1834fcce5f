"""Device searches: refused unless every S-SEARCH condition holds and the distress judgement is recorded."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.authorisations import service as authorisations
from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from services.school_api.people.models import Person
from services.school_api.rules.child_first import s_child_first
from services.school_api.rules.search import SearchConditions, s_search
from services.school_api.searches.models import DeviceSearch
from services.school_api.searches.schemas import SearchCreate
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import NotFound, RuleRefused

RECORD = "device_search"


async def record_search(ctx: Context, incident_id: uuid.UUID, data: SearchCreate) -> DeviceSearch:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.search.append")
    device = await devices.get_device(ctx, incident.id, data.device_id)
    if data.pupil_person_id is not None:
        found = await ctx.session.scalar(select(Person.id).where(Person.id == data.pupil_person_id, Person.incident_id == incident.id))
        if found is None:
            raise NotFound("No such person on this incident in your school.")
    authorisation = await authorisations.find(
        ctx, incident.id, data.authorisation_id, AuthorisationKind.device_search, device.id
    )
    conditions = SearchConditions(
        in_line_with_school_policy=data.in_line_with_school_policy,
        authorised_by_headteacher=authorisation is not None,
        safeguarding_team_member_present=bool(data.safeguarding_member_present and data.safeguarding_member_present.strip()),
        searcher_same_sex_as_pupil=data.searcher_same_sex_as_pupil,
        would_add_distress_to_pictured_pupil=data.would_add_distress,
    )
    violations = s_search(conditions) + s_child_first(data.distress_judgement, activity="search")
    if violations or authorisation is None:
        raise RuleRefused("The search does not meet the conditions of the guidance.", violations=violations)
    search = DeviceSearch(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        device_id=device.id,
        pupil_person_id=data.pupil_person_id,
        authorisation_id=authorisation.id,
        searched_by=data.searched_by,
        safeguarding_member_present=data.safeguarding_member_present or "",
        searcher_same_sex_as_pupil=data.searcher_same_sex_as_pupil,
        in_line_with_school_policy=data.in_line_with_school_policy,
        would_add_distress=data.would_add_distress,
        distress_judgement=data.distress_judgement or "",
        findings=data.findings,
        searched_at=data.searched_at,
        recorded_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(search)
    actions.append(
        ctx, incident, ActionKind.device_searched, taken=True, justification=data.distress_judgement,
        performed_by=data.searched_by, occurred_at=data.searched_at,
    )
    await ctx.session.flush()
    ctx.audit.record("device_search.create", RECORD, search.id)
    return search


async def list_searches(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[DeviceSearch]:
    query = select(DeviceSearch).where(DeviceSearch.incident_id == incident_id).order_by(DeviceSearch.recorded_at, DeviceSearch.id)
    rows = list((await ctx.session.scalars(query)).all())
    if audit:
        for row in rows:
            ctx.audit.record("device_search.read", RECORD, row.id)
    return rows


# The API list: oldest first, as recorded, a page at a time.
KEYSET = Keyset(DeviceSearch.recorded_at, DeviceSearch.id, newest_first=False)


async def page_searches(ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int) -> tuple[list[DeviceSearch], str | None]:
    query = select(DeviceSearch).where(DeviceSearch.incident_id == incident_id)
    rows, next_cursor = await fetch_page(ctx.session, query, KEYSET, cursor, limit)
    ctx.audit.list_page("device_search.list", RECORD, shown_as(RECORD, rows), within=(incidents.RECORD, incident_id))
    return rows, next_cursor
