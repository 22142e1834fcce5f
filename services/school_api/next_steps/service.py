"""The next-steps answer: the record read into plain facts, and rules/next_steps.py asked what is still open."""
from __future__ import annotations

from services.school_api.actions import service as actions
from services.school_api.assessments import service as assessments
from services.school_api.decisions import service as decisions
from services.school_api.devices import service as devices
from services.school_api.devices.vocabulary import DeviceOwner
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import DeviceOwnership, SharingExtent
from services.school_api.reviews import service as reviews
from services.school_api.rules.next_steps import CaseFacts, LoggedAction, NextStep, next_steps
from shared.context import Context


async def case_facts(ctx: Context, incident: Incident) -> CaseFacts:
    """Every record read here is audited as read: the answer is made of them."""
    logged = await actions.list_actions(ctx, incident.id)
    decided = await decisions.list_decisions(ctx, incident.id)
    standing = decided[-1] if decided else None
    reviewed = await reviews.list_reviews(ctx, incident.id)
    facts = await assessments.facts_of(ctx, incident)
    school_devices = [d for d in await devices.list_devices(ctx, incident.id) if d.ownership is DeviceOwner.school]
    return CaseFacts(
        actions=tuple(LoggedAction(row.kind, row.taken, row.due_at) for row in logged),
        assessed=await assessments.latest(ctx, incident.id) is not None,
        decision=standing.outcome if standing else None,
        parents_to_be_informed=bool(standing and standing.inform_parents),
        reviewed_since_decision=bool(standing and any(r.reviewed_at >= standing.decided_at for r in reviewed)),
        school_device_or_network=incident.device_ownership is DeviceOwnership.school or bool(school_devices),
        image_online=bool(incident.where_image_ended_up) or incident.sharing_extent is SharingExtent.widely,
        abuse_risk=facts.adult_involved or facts.coercion_recorded,
    )


async def open_steps(ctx: Context, incident: Incident) -> list[NextStep]:
    return next_steps(await case_facts(ctx, incident))
