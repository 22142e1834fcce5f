"""Recording the DSL's decision; a decision to refer to the police queues the referral."""
from __future__ import annotations

import uuid

from services.school_api.decisions.models import Decision
from services.school_api.decisions.schemas import DecisionCreate
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.referrals.models import PoliceReferral
from services.school_api.referrals.payload import build_report_payload
from services.school_api.referrals.service import queue_police_referral
from services.school_api.referrals.vocabulary import PoliceChannel
from shared.concurrency import check_version
from shared.context import Context

RECORD = "decision"


async def decide(
    ctx: Context, incident_id: uuid.UUID, data: DecisionCreate, expected_version: int
) -> tuple[Decision, PoliceReferral | None, Incident]:
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.decide")
    check_version(incident.version, expected_version)
    decision = Decision(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        outcome=data.outcome,
        police_channel=data.police_channel,
        reasons=data.reasons,
        decided_by=ctx.actor.subject,
        decided_at=ctx.now,
    )
    ctx.session.add(decision)
    referral = None
    if data.outcome is DecisionOutcome.refer_police:
        channel = data.police_channel or PoliceChannel.call_101
        payload = build_report_payload(incident, channel=channel, referred_at=ctx.now, reasons=data.reasons)
        referral = await queue_police_referral(ctx, incident, channel, payload)
        incident.status = IncidentStatus.referred
    elif data.outcome is DecisionOutcome.manage_in_school:
        incident.status = IncidentStatus.managed_in_school
    else:
        incident.status = IncidentStatus.referred
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("decision.create", RECORD, decision.id)
    return decision, referral, incident
