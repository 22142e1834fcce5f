"""`police-api retention run`: anonymise every incident's records that have fallen due and are not held.

The run itself is `shared/retention_job.py`; this module says what a police file is and which are due.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.database import AuditEntry
from services.police_api.incidents.models import PoliceIncident
from services.police_api.retention.models import Disposal
from services.police_api.retention.service import INCIDENT, active_hold, anonymise_incident, facts_of, held_incidents
from services.police_api.rules.retention import RetentionDue, is_due, retention_of_incident
from shared.retention_job import Files


async def due_files(session: AsyncSession, today: date, force_code: str | None) -> list[tuple[PoliceIncident, RetentionDue]]:
    """Every incident not disposed of yet whose records' retention date has come, oldest due first."""
    query = select(PoliceIncident).where(PoliceIncident.id.not_in(select(Disposal.incident_id)))
    if force_code is not None:
        query = query.where(PoliceIncident.force_code == force_code)
    incidents = list((await session.scalars(query)).all())
    facts = await facts_of(session, incidents)
    found = [(incident, retention_of_incident(facts[incident.id], today)) for incident in incidents]
    due = [(incident, retention) for incident, retention in found if is_due(retention, today)]
    return sorted(due, key=lambda pair: (pair[1].due_on, pair[0].reference))


async def _load(session: AsyncSession, incident_id: uuid.UUID) -> PoliceIncident:
    incident = await session.get(PoliceIncident, incident_id)
    assert incident is not None  # records are anonymised, never deleted
    return incident



async def _disposed(session: AsyncSession, incident_id: uuid.UUID) -> bool:
    return await session.scalar(select(Disposal.id).where(Disposal.incident_id == incident_id)) is not None


POLICE_FILES = Files(
    audit_model=AuditEntry,
    audit_record_type=INCIDENT,
    due=due_files,
    held=held_incidents,
    active_hold=active_hold,
    load=_load,
    disposed=_disposed,
    anonymise=anonymise_incident,
    tenant_of=lambda incident: incident.force_code,
)
