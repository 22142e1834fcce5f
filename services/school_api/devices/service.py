"""Devices and the chain of custody (APPX8 step 3). S-IMAGE refuses any step that would delete evidence."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.school_api.devices.models import CustodyEvent, Device
from services.school_api.devices.schemas import CustodyEventCreate, DeviceCreate
from services.school_api.devices.vocabulary import CustodyEventKind
from services.school_api.incidents import service as incidents
from services.school_api.people.models import Person
from services.school_api.rules.image import CustodyStep, s_image
from shared.concurrency import check_version
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import Conflict, NotFound, RuleRefused

RECORD = "device"
CUSTODY_RECORD = "custody_event"
# The police contract takes at most 20 devices per report (SchoolReportIn.devices).
MAX_DEVICES_PER_INCIDENT = 20
_LEAVES_SCHOOL = {CustodyEventKind.handed_to_police, CustodyEventKind.returned_to_owner}


async def add_device(ctx: Context, incident_id: uuid.UUID, data: DeviceCreate) -> Device:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.device.append")
    count = await ctx.session.scalar(select(func.count()).select_from(Device).where(Device.incident_id == incident.id))
    if (count or 0) >= MAX_DEVICES_PER_INCIDENT:
        raise Conflict(f"An incident records at most {MAX_DEVICES_PER_INCIDENT} devices.")
    if data.owner_person_id is not None:
        owner = await ctx.session.scalar(
            select(Person.id).where(Person.id == data.owner_person_id, Person.incident_id == incident.id)
        )
        if owner is None:
            raise NotFound("No such person on this incident in your school.")
    device = Device(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        ownership=data.ownership,
        owner_person_id=data.owner_person_id,
        description=data.description,
        held_by_school=False,
        created_by=ctx.actor.subject,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(device)
    await ctx.session.flush()
    ctx.audit.record("device.create", RECORD, device.id)
    return device


async def get_device(ctx: Context, incident_id: uuid.UUID, device_id: uuid.UUID) -> Device:
    device = await ctx.session.scalar(select(Device).where(Device.id == device_id, Device.incident_id == incident_id))
    if device is None:
        raise NotFound("No such device on this incident in your school.")
    ctx.audit.record("device.read", RECORD, device.id)
    return device


async def list_devices(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[Device]:
    rows = list(
        (await ctx.session.scalars(select(Device).where(Device.incident_id == incident_id).order_by(Device.created_at, Device.id))).all()
    )
    if audit:
        for row in rows:
            ctx.audit.record("device.read", RECORD, row.id)
    return rows


async def custody_of(ctx: Context, incident_id: uuid.UUID, *, device_id: uuid.UUID | None = None) -> list[CustodyEvent]:
    """The chain of custody of the incident's devices, or of one device when only that one is shown:
    every step loaded is shown, so every step loaded is audited as read."""
    query = select(CustodyEvent).where(CustodyEvent.incident_id == incident_id)
    if device_id is not None:
        query = query.where(CustodyEvent.device_id == device_id)
    rows = list((await ctx.session.scalars(query.order_by(CustodyEvent.recorded_at, CustodyEvent.id))).all())
    for row in rows:
        ctx.audit.record("custody_event.read", CUSTODY_RECORD, row.id)
    return rows


async def record_custody(
    ctx: Context, incident_id: uuid.UUID, device_id: uuid.UUID, data: CustodyEventCreate, expected_version: int
) -> tuple[Device, CustodyEvent]:
    await incidents.get_writable_incident(ctx, incident_id, operation="incident.device.custody")
    device = await get_device(ctx, incident_id, device_id)
    violations = s_image(CustodyStep(data.kind))
    if violations:
        raise RuleRefused("This custody step is not allowed.", violations=violations)
    check_version(device.version, expected_version)
    event = CustodyEvent(
        id=uuid.uuid4(),
        school_urn=device.school_urn,
        incident_id=device.incident_id,
        device_id=device.id,
        kind=data.kind,
        occurred_at=data.occurred_at,
        by_whom=data.by_whom,
        to_whom=data.to_whom,
        location=data.location,
        recorded_by=ctx.actor.subject,
        recorded_at=ctx.now,
    )
    ctx.session.add(event)
    device.custody_state = data.kind
    if data.location:
        device.secured_location = data.location
    device.held_by_school = data.kind not in _LEAVES_SCHOOL
    device.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("device.custody", RECORD, device.id)
    # The step is a record of its own (its id is what the chronology and GET /audit name), not only a change of the device.
    ctx.audit.record("custody_event.create", CUSTODY_RECORD, event.id)
    return device, event


KEYSET = Keyset(Device.created_at, Device.id, newest_first=False)


async def page_devices(
    ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[Device], list[CustodyEvent], str | None]:
    """A page of the incident's devices with the chain of custody of each: every step loaded is shown, so the
    page's one audit row names each device followed by its steps."""
    rows, next_cursor = await fetch_page(ctx.session, select(Device).where(Device.incident_id == incident_id), KEYSET, cursor, limit)
    events: list[CustodyEvent] = []
    if rows:
        query = select(CustodyEvent).where(CustodyEvent.incident_id == incident_id, CustodyEvent.device_id.in_([row.id for row in rows]))
        events = list((await ctx.session.scalars(query.order_by(CustodyEvent.recorded_at, CustodyEvent.id))).all())
    shown = [
        record
        for device in rows
        for record in [(RECORD, device.id), *((CUSTODY_RECORD, event.id) for event in events if event.device_id == device.id)]
    ]
    ctx.audit.list_page("device.list", RECORD, shown, within=(incidents.RECORD, incident_id))
    return rows, events, next_cursor
