"""The history of an incident's free-text fields: each edit keeps the text it replaced."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.incidents.models import Incident
from services.school_api.narratives.models import NarrativeVersion
from services.school_api.narratives.vocabulary import NarrativeField
from shared.context import Context

RECORD = "narrative_version"


def keep_previous_texts(ctx: Context, incident: Incident, changes: dict[str, str | None]) -> None:
    """Before `changes` are applied: one version per free-text field whose text really changes."""
    for field in NarrativeField:
        if field.value not in changes:
            continue
        previous = getattr(incident, field.value)
        if previous == changes[field.value]:
            continue
        version = NarrativeVersion(
            id=uuid.uuid4(),
            school_urn=incident.school_urn,
            incident_id=incident.id,
            field=field,
            previous_text=previous,
            incident_version=incident.version,
            replaced_by=ctx.actor.subject,
            replaced_by_role=ctx.actor.role,
            replaced_at=ctx.now,
        )
        ctx.session.add(version)
        ctx.audit.record("narrative_version.create", RECORD, version.id)


async def history(ctx: Context, incident_id: uuid.UUID) -> list[NarrativeVersion]:
    """Oldest first, each read audited: an earlier text is as much a safeguarding record as the current one."""
    rows = list(
        (
            await ctx.session.scalars(
                select(NarrativeVersion)
                .where(NarrativeVersion.incident_id == incident_id)
                .order_by(NarrativeVersion.replaced_at, NarrativeVersion.incident_version)
            )
        ).all()
    )
    for row in rows:
        ctx.audit.record("narrative_version.read", RECORD, row.id)
    return rows
