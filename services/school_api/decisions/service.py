"""Recording the DSL's decision (S-POLICE, S-PARENTS, S-DSL); a decision to refer to the police queues the referral."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.assessments import service as assessments
from services.school_api.assessments.vocabulary import JudgementFactor
from services.school_api.decisions.models import Decision
from services.school_api.decisions.schemas import DecisionCreate
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Incident
from services.school_api.incidents.vocabulary import IncidentStatus
from services.school_api.people import service as people
from services.school_api.referrals.models import PoliceReferral
from services.school_api.referrals.payload import build_report_payload
# A module, not its names: referrals -> incidents -> next steps -> decisions comes back here half made.
from services.school_api.referrals import service as referrals
from services.school_api.referrals.vocabulary import PoliceChannel
from services.school_api.rules.decision import DecisionFacts, decision_violations
from services.school_api.rules.dsl import s_dsl
from services.school_api.rules.lifecycle import may_decide
from shared.concurrency import check_version
from shared.context import Context
from shared.problems import InvalidTransition, NotFound, RuleRefused

RECORD = "decision"
_STATUS_AFTER = {
    DecisionOutcome.refer_police: IncidentStatus.referred,
    DecisionOutcome.refer_social_care: IncidentStatus.referred,
    DecisionOutcome.manage_in_school: IncidentStatus.managed_in_school,
}


async def decide(
    ctx: Context, incident_id: uuid.UUID, data: DecisionCreate, expected_version: int
) -> tuple[Decision, PoliceReferral | None, Incident]:
    incident = await incidents.get_writable_incident(ctx, incident_id, operation="incident.decide")
    check_version(incident.version, expected_version)
    assessment = await assessments.latest(ctx, incident.id)
    previous = await list_decisions(ctx, incident.id)
    assessed_since = assessment is not None and (not previous or assessment.assessed_at > previous[-1].decided_at)
    police_referred = any(row.outcome is DecisionOutcome.refer_police for row in previous)
    if not may_decide(incident.status, assessed_since_last_decision=assessed_since, outcome=data.outcome, police_referred=police_referred):
        raise InvalidTransition(
            "A decision follows a risk assessment (a later one, after a new assessment, only escalates, and an incident "
            f"is referred to the police once); this incident is {incident.status.value}."
        )
    facts = await assessments.facts_of(ctx, incident)
    violations = s_dsl(await incidents.actions_taken(ctx, incident.id))
    violations += decision_violations(
        data.outcome,
        DecisionFacts(
            # An adult on the record, or "possibly involving" one as the DSL answered in the assessment (S-POLICE).
            adult_involved=facts.adult_involved or bool(assessment and "adult_involved" in assessment.immediate_criteria_met),
            typology=assessment.typology if assessment else None,
            immediate_criteria_met=bool(assessment and assessment.immediate_criteria_met),
            factors_present=tuple(JudgementFactor(f) for f in assessment.factors_present) if assessment else (),
        ),
        reasons=data.reasons,
        inform_parents=data.inform_parents,
        reason_not_to_inform=data.parents_not_informed_reason,
        factor_reasons=data.factor_reasons,
    )
    if violations:
        raise RuleRefused("The decision is refused by the guidance.", violations=violations)
    decision = Decision(
        id=uuid.uuid4(),
        school_urn=incident.school_urn,
        incident_id=incident.id,
        outcome=data.outcome,
        police_channel=data.police_channel if data.outcome is DecisionOutcome.refer_police else None,
        reasons=data.reasons,
        inform_parents=data.inform_parents,
        parents_not_informed_reason=data.parents_not_informed_reason,
        safeguards=data.safeguards,
        factor_reasons={str(factor): reason for factor, reason in data.factor_reasons.items()},
        assessment_id=assessment.id if assessment else None,
        decided_by=ctx.actor.subject,
        decided_at=ctx.now,
    )
    ctx.session.add(decision)
    incidents.transition(ctx, incident, _STATUS_AFTER[data.outcome])
    # S-RECORD: the decision's actions, taken and not taken, go into the log with their reasons.
    log = dict(performed_by=ctx.actor.subject, occurred_at=ctx.now)
    if not data.inform_parents:
        actions.append(ctx, incident, ActionKind.parents_informed, taken=False, justification=data.parents_not_informed_reason, **log)
    referral = None
    if data.outcome is DecisionOutcome.refer_police:
        channel = data.police_channel or PoliceChannel.call_101
        decision.police_channel = channel
        payload = build_report_payload(
            incident,
            people=await people.list_people(ctx, incident.id),
            devices=await devices.list_devices(ctx, incident.id),
            assessment=assessment,
            channel=channel,
            referred_at=ctx.now,
            reasons=data.reasons,
        )
        referral = await referrals.queue_police_referral(ctx, incident, channel, payload)
        actions.append(ctx, incident, ActionKind.police_referral, taken=True, justification=data.reasons, **log)
    elif data.outcome is DecisionOutcome.refer_social_care:
        actions.append(ctx, incident, ActionKind.social_care_referral, taken=True, justification=data.reasons, **log)
    else:
        actions.append(ctx, incident, ActionKind.police_referral, taken=False, justification=data.reasons, **log)
    await ctx.session.flush()
    ctx.audit.record("decision.create", RECORD, decision.id)
    return decision, referral, incident


async def list_decisions(ctx: Context, incident_id: uuid.UUID, *, audit: bool = True) -> list[Decision]:
    rows = list((await ctx.session.scalars(select(Decision).where(Decision.incident_id == incident_id).order_by(Decision.decided_at))).all())
    if audit:
        for row in rows:
            ctx.audit.record("decision.read", RECORD, row.id)
    return rows


async def get_decision(ctx: Context, incident_id: uuid.UUID) -> tuple[Decision, uuid.UUID | None]:
    """The decision that stands: the latest (a later one only escalates). Only it is read, so only it is audited."""
    decision = await ctx.session.scalar(
        select(Decision).where(Decision.incident_id == incident_id).order_by(Decision.decided_at.desc()).limit(1)
    )
    if decision is None:
        raise NotFound("No decision recorded for this incident yet.")
    ctx.audit.record("decision.read", RECORD, decision.id)
    return decision, await referrals.referral_id_of(ctx, incident_id)
