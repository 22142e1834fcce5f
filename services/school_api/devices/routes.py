from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.school_api.access import SchoolContext
from services.school_api.devices import service
from services.school_api.devices.models import CustodyEvent, Device
from services.school_api.devices.schemas import CustodyEventCreate, CustodyEventOut, DeviceCreate, DeviceOut, DevicePage
from services.school_api.incidents import service as incidents
from shared.concurrency import etag, expected_version
from shared.http import IfMatch, problem_responses
from shared.pagination import Cursor, DEFAULT_PAGE_SIZE, Limit

router = APIRouter(prefix="/incidents/{incident_id}/devices", tags=["devices"])


def _out(device: Device, events: list[CustodyEvent]) -> DeviceOut:
    out = DeviceOut.model_validate(device, from_attributes=True)
    out.custody = [CustodyEventOut.model_validate(e, from_attributes=True) for e in events if e.device_id == device.id]
    return out


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DeviceOut, responses=problem_responses(404, 409))
async def add_device(incident_id: uuid.UUID, body: DeviceCreate, ctx: SchoolContext, response: Response) -> DeviceOut:
    """Record a device (school or personal, whose). Custody steps follow with If-Match."""
    device = await service.add_device(ctx, incident_id, body)
    response.headers["ETag"] = etag(device.version)
    response.headers["Location"] = f"/incidents/{incident_id}/devices/{device.id}"
    return _out(device, [])


@router.get("", response_model=DevicePage, responses=problem_responses(400, 404))
async def list_devices(incident_id: uuid.UUID, ctx: SchoolContext, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE) -> DevicePage:
    await incidents.find_incident(ctx, incident_id)
    rows, events, next_cursor = await service.page_devices(ctx, incident_id, cursor=cursor, limit=limit)
    return DevicePage(items=[_out(device, events) for device in rows], next_cursor=next_cursor)


@router.get("/{device_id}", response_model=DeviceOut, responses=problem_responses(404))
async def get_device(incident_id: uuid.UUID, device_id: uuid.UUID, ctx: SchoolContext, response: Response) -> DeviceOut:
    device = await service.get_device(ctx, incident_id, device_id)
    response.headers["ETag"] = etag(device.version)
    return _out(device, await service.custody_of(ctx, incident_id, device_id=device.id))


@router.post(
    "/{device_id}/custody",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def record_custody(
    incident_id: uuid.UUID,
    device_id: uuid.UUID,
    body: CustodyEventCreate,
    ctx: SchoolContext,
    response: Response,
    if_match: IfMatch,
) -> DeviceOut:
    """Add a step to the chain of custody. "image_deleted" is always refused (S-IMAGE)."""
    device, _ = await service.record_custody(ctx, incident_id, device_id, body, expected_version(if_match))
    response.headers["ETag"] = etag(device.version)
    return _out(device, await service.custody_of(ctx, incident_id, device_id=device.id))
