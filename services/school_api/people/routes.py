from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.school_api.access import SchoolContext, sees_narratives
from services.school_api.incidents import service as incidents
from services.school_api.people import service
from services.school_api.people.schemas import PersonCreate, PersonOut, PersonPage, PersonReceipt, PersonUpdate
from services.school_api.people.vocabulary import PersonKind
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(prefix="/incidents/{incident_id}/people", tags=["people"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=PersonOut | PersonReceipt, responses=problem_responses(404, 409)
)
async def add_person(incident_id: uuid.UUID, body: PersonCreate, ctx: SchoolContext, response: Response) -> PersonOut | PersonReceipt:
    """Add a person involved, with one or more roles and a kind. A UPN must carry a valid check letter."""
    person = await service.add_person(ctx, incident_id, body)
    response.headers["ETag"] = etag(person.version)
    response.headers["Location"] = f"/incidents/{incident_id}/people/{person.id}"
    if sees_narratives(ctx.actor):
        return PersonOut.model_validate(person, from_attributes=True)
    return PersonReceipt.model_validate(person, from_attributes=True)


@router.get("", response_model=PersonPage, responses=problem_responses(400, 404))
async def list_people(
    incident_id: uuid.UUID,
    ctx: SchoolContext,
    kind: PersonKind | None = None,
    upn: Annotated[str | None, Query(min_length=13, max_length=13, description="a pupil's UPN")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
) -> PersonPage:
    """The people recorded on the incident, oldest first; `kind` or `upn` narrows to one kind or one pupil."""
    await incidents.find_incident(ctx, incident_id)
    rows, next_cursor = await service.page_people(ctx, incident_id, kind=kind, upn=upn, cursor=cursor, limit=limit)
    return PersonPage(items=[PersonOut.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor)


@router.get("/{person_id}", response_model=PersonOut, responses=problem_responses(404))
async def get_person(incident_id: uuid.UUID, person_id: uuid.UUID, ctx: SchoolContext, response: Response) -> PersonOut:
    person = await service.get_person(ctx, incident_id, person_id)
    response.headers["ETag"] = etag(person.version)
    return PersonOut.model_validate(person, from_attributes=True)


@router.patch("/{person_id}", response_model=PersonOut, responses=problem_responses(404, 409, 412, 428))
async def update_person(
    incident_id: uuid.UUID,
    person_id: uuid.UUID,
    body: PersonUpdate,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> PersonOut:
    person = await service.update_person(ctx, incident_id, person_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(person.version)
    return PersonOut.model_validate(person, from_attributes=True)
