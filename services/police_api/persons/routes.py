from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.police_api.access import PoliceContext
from services.police_api.incidents import service as incidents
from services.police_api.persons import service
from services.police_api.persons.models import Person, PersonLink
from services.police_api.persons.vocabulary import LinkRole
from services.police_api.persons.schemas import (
    LinkCreate,
    LinkOut,
    LinkPage,
    LinkUpdate,
    MergeIn,
    PersonDetailOut,
    PersonHistoryItem,
    PersonOut,
)
from shared.concurrency import etag, expected_version
from shared.context import Context
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(tags=["persons"])


def link_out(link: PersonLink, person: Person | None = None) -> LinkOut:
    out = LinkOut.model_validate(link, from_attributes=True)
    if person is not None:
        out.person = PersonOut.model_validate(person, from_attributes=True)
    return out


async def _person_detail(ctx: Context, person: Person, response: Response) -> PersonDetailOut:
    history = await service.person_history(ctx, person.id)
    response.headers["ETag"] = etag(person.version)
    return PersonDetailOut(
        **PersonOut.model_validate(person, from_attributes=True).model_dump(),
        history=[
            PersonHistoryItem(incident_id=incident.id, police_reference=incident.reference, role=link.role, linked_at=link.created_at)
            for link, incident in history
        ],
    )


@router.get("/persons/{person_id}", response_model=PersonDetailOut, responses=problem_responses(404))
async def get_person(person_id: uuid.UUID, ctx: PoliceContext, response: Response) -> PersonDetailOut:
    """A person of the force's nominal index, with the incidents they are linked to."""
    person = await service.get_person(ctx, person_id)
    return await _person_detail(ctx, person, response)


@router.post("/persons/{person_id}/merge", response_model=PersonDetailOut, responses=problem_responses(404, 409, 412, 428))
async def merge_persons(
    person_id: uuid.UUID, body: MergeIn, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> PersonDetailOut:
    """Merge a duplicate record into this one, with the reason (an audited officer action). If-Match: this person's ETag."""
    person = await service.merge(ctx, person_id, body.duplicate_person_id, body.reason, expected_version(if_match))
    return await _person_detail(ctx, person, response)


@router.get("/incidents/{incident_id}/links", response_model=LinkPage, responses=problem_responses(400, 404))
async def list_links(
    incident_id: uuid.UUID,
    ctx: PoliceContext,
    role: LinkRole | None = None,
    upn: Annotated[str | None, Query(min_length=13, max_length=13, description="a pupil's UPN")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> LinkPage:
    """Everyone linked to the incident, with their role (P-CRIME), oldest link first; `role` or `upn` narrows it."""
    incident = await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_links(ctx, incident.id, role=role, upn=upn, cursor=cursor, limit=limit)
    return LinkPage(items=[link_out(link, person) for link, person in rows], next_cursor=next_cursor)


@router.post("/incidents/{incident_id}/links", status_code=201, response_model=LinkOut, responses=problem_responses(404, 409))
async def create_link(incident_id: uuid.UUID, body: LinkCreate, ctx: PoliceContext, response: Response) -> LinkOut:
    """Link a person (indexed, or found again / added by their details). A child is notified to the PPU (P-PPU)."""
    incident = await incidents.get_incident(ctx, incident_id)  # a foreign incident is 404 before anything else
    incidents.ensure_open(incident)
    details = None
    if body.person is not None:
        details = service.PersonDetails(**body.person.model_dump(mode="json", exclude={"date_of_birth"}) | {"date_of_birth": body.person.date_of_birth})
    link, person = await service.link_by_officer(
        ctx, incident, person_id=body.person_id, details=details, role=body.role,
        reported_roles=[role.value for role in body.reported_roles],
    )
    response.headers["ETag"] = etag(link.version)
    return link_out(link, person)


@router.patch("/links/{link_id}", response_model=LinkOut, responses=problem_responses(404, 409, 412, 428))
async def update_link(
    link_id: uuid.UUID, body: LinkUpdate, ctx: PoliceContext, response: Response, if_match: IfMatch
) -> LinkOut:
    """Change a person's role on an incident (victim, suspect, victim and suspect, person involved, witness),
    with the reason (P-CRIME); a child under 10 is never an offender (P-AGE-OF-RESPONSIBILITY)."""
    link = await service.get_link(ctx, link_id)
    incident = await incidents.get_incident(ctx, link.incident_id)
    incidents.ensure_open(incident)
    link = await service.change_link_role(ctx, link, incident, body.role, body.reason, expected_version(if_match))
    response.headers["ETag"] = etag(link.version)
    return link_out(link)
