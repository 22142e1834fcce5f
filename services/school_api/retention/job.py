"""`school-api retention run`: anonymise every incident's file that has fallen due and is not held.

The run itself (a transaction per file, holds read again, dry run, audit) is `shared/retention_job.py`;
this module says what a school's file is and which are due.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.school_api.database import AuditEntry
from services.school_api.incidents.models import Incident
from services.school_api.retention.models import Disposal
from services.school_api.retention.service import INCIDENT, active_hold, anonymise_incident, facts_of, held_incidents
from services.school_api.rules.retention import RetentionDue, is_due, retention_of_incident
from shared.retention_job import Files


async def due_files(session: AsyncSession, today: date, school_urn: str | None) -> list[tuple[Incident, RetentionDue]]:
    """Every file not disposed of yet whose retention date has come, oldest due first."""
    query = select(Incident).where(Incident.id.not_in(select(Disposal.incident_id)))
    if school_urn is not None:
        query = query.where(Incident.school_urn == school_urn)
    incidents = list((await session.scalars(query)).all())
    facts = await facts_of(session, incidents)
    found = [(incident, retention_of_incident(facts[incident.id])) for incident in incidents]
    due = [(incident, retention) for incident, retention in found if is_due(retention, today)]
    return sorted(due, key=lambda pair: (pair[1].due_on, pair[0].reference))


async def _load(session: AsyncSession, incident_id: uuid.UUID) -> Incident:
    incident = await session.get(Incident, incident_id)
    assert incident is not None  # files are anonymised, never deleted
    return incident



async def _disposed(session: AsyncSession, incident_id: uuid.UUID) -> bool:
    return await session.scalar(select(Disposal.id).where(Disposal.incident_id == incident_id)) is not None


SCHOOL_FILES = Files(
    audit_model=AuditEntry,
    audit_record_type=INCIDENT,
    due=due_files,
    held=held_incidents,
    active_hold=active_hold,
    load=_load,
    disposed=_disposed,
    anonymise=anonymise_incident,
    tenant_of=lambda incident: incident.school_urn,
)
