"""Assessment and route (P-REPEAT, P-ROUTE, P-FULL-INVESTIGATION), restorative approach and education."""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, true

from services.police_api.crimes.models import Crime, CrimeSubject
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import PoliceIncident
from services.police_api.incidents.vocabulary import PoliceIncidentStatus
from services.police_api.persons import service as persons
from services.police_api.persons.models import PersonLink
from services.police_api.persons.vocabulary import LinkRole
from services.police_api.routing.models import EducationRecord, FindingDecision, RestorativeMeeting
from services.police_api.routing.vocabulary import EducationKind, FindingAction, FullInvestigationIndicator, PoliceRank, Route
from services.police_api.rules.links import link_involves_adult
from services.police_api.rules.repeat import Occasion, OffenceProfile, RepeatFinding, repeat_finding
from services.police_api.rules.route import (
    RouteDecision,
    RouteReason,
    check_finding_decision,
    check_findings_change,
    check_route_choice,
    check_scpo_route_activity,
    compute_route,
    full_investigation_reasons,
    unresolved_findings,
)
from shared.concurrency import check_version
from shared.audit import shown_as
from shared.context import Context
from shared.pagination import Keyset, fetch_page
from shared.problems import RuleRefused, RuleViolation

OFFENDER_ROLES = [role for role in LinkRole if role.is_offender]
FINDING_DECISION = "finding_decision"


@dataclass(frozen=True)
class PersonRepeat:
    person_id: uuid.UUID
    link_role: LinkRole
    # The finding on every earlier incident of the force, naming only those the caller may see; `withheld`
    # counts the others (see `assess`).
    finding: RepeatFinding
    withheld: int = 0

    @property
    def reason_references(self) -> list[str]:
        if not self.withheld:
            return self.finding.earlier_references
        return [*self.finding.earlier_references, f"{self.withheld} outside your role's view"]


@dataclass(frozen=True)
class Assessment:
    incident: PoliceIncident
    repeats: list[PersonRepeat]
    adult_implicated: bool
    adult_person_ids: list[uuid.UUID]
    indicators: list[FullInvestigationIndicator]
    full_investigation: list[RouteReason]
    computed: RouteDecision
    finding_decisions: list[FindingDecision]

    @property
    def repeat_flagged(self) -> bool:
        return any(item.finding.is_repeat for item in self.repeats)

    @property
    def checks_overridden(self) -> bool:
        """The repeat check set aside by a supervisor's route override with a written reason (P-REPEAT).
        Findings are set aside only one by one, as finding decisions (P-FULL-INVESTIGATION)."""
        incident = self.incident
        return bool(incident.route is Route.scpo and incident.route_override_reason)

    @property
    def overridden_findings(self) -> list[FullInvestigationIndicator]:
        return sorted(
            {d.indicator for d in self.finding_decisions if d.action is FindingAction.overridden and d.indicator in self.indicators},
            key=lambda item: item.value,
        )

    @property
    def unresolved_findings(self) -> list[FullInvestigationIndicator]:
        return unresolved_findings(self.indicators, self.overridden_findings)


async def _codes_by_incident_and_person(ctx: Context, person_ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, uuid.UUID], set[str]]:
    rows = (
        await ctx.session.execute(
            select(Crime.incident_id, CrimeSubject.person_id, Crime.offence_code)
            .join(CrimeSubject, CrimeSubject.crime_id == Crime.id)
            .where(CrimeSubject.person_id.in_(person_ids))
        )
    ).all()
    codes: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = defaultdict(set)
    for incident_id, person_id, code in rows:
        codes[(incident_id, person_id)].add(code)
    return codes


async def assess(ctx: Context, incident: PoliceIncident) -> Assessment:
    """Compute, with reasons, whether any suspect is a repeat (P-REPEAT) and whether an adult is implicated,
    the full-investigation findings (P-FULL-INVESTIGATION), and the route they lead to (P-ROUTE)."""
    links = list((await ctx.session.scalars(select(PersonLink).where(PersonLink.incident_id == incident.id))).all())
    offenders = [link for link in links if link.role.is_offender]
    person_ids = [link.person_id for link in offenders]
    codes = await _codes_by_incident_and_person(ctx, person_ids) if person_ids else {}
    earlier: dict[uuid.UUID, list[Occasion]] = defaultdict(list)
    # P-REPEAT counts every earlier incident of the force, whoever asks. But CID sees only the incidents
    # routed to CID (and is kept out of the nominal index for that reason, access.py): an earlier
    # incident dealt with on the SCPO route, often by Outcome 21 so as not to criminalise the child,
    # must not widen CID's view of that child through this check. So the flag and the computed route
    # stand on every incident, while those the caller's role cannot open are counted, not named (audited
    # as consulted, not as read); officers who see the whole force, a supervisor among them, get all named.
    consulted: dict[str, None] = {}
    not_visible: set[str] = set()
    if person_ids:
        condition = incidents.visibility(ctx)
        rows = (
            await ctx.session.execute(
                select(PersonLink.person_id, PoliceIncident, (true() if condition is None else condition).label("visible"))
                .join(PoliceIncident, PoliceIncident.id == PersonLink.incident_id)
                .where(
                    PersonLink.person_id.in_(person_ids),
                    PersonLink.role.in_(OFFENDER_ROLES),
                    PoliceIncident.id != incident.id,
                    PoliceIncident.created_at < incident.created_at,
                )
            )
        ).all()
        for person_id, other, visible in rows:
            profile = OffenceProfile(other.classification.value, frozenset(codes.get((other.id, person_id), set())))
            earlier[person_id].append(Occasion(str(other.id), other.reference, profile))
            consulted[str(other.id)] = None
            if not visible:
                not_visible.add(str(other.id))
    repeats = []
    for link in offenders:
        current = OffenceProfile(incident.classification.value, frozenset(codes.get((incident.id, link.person_id), set())))
        repeats.append(_as_seen(link, repeat_finding(current, earlier[link.person_id]), not_visible))
    # The report contract's one meaning of "adult involved" (S-POLICE), on every link, not only offenders:
    # an adult who received a child's image is involved however intake first linked them.
    adults = [
        link.person_id
        for link in links
        if link_involves_adult(link.reported_roles or [], link.age_status, role=link.role, set_by_officer=link.role_set_by_officer)
    ]
    indicators = sorted({FullInvestigationIndicator(value) for value in incident.indicators or []}, key=lambda i: i.value)
    computed = compute_route(
        repeat_references={str(r.person_id): r.reason_references for r in repeats if r.finding.is_repeat},
        adult_implicated=bool(adults),
        indicators=indicators,
    )
    ctx.audit.record("police_incident.assess", incidents.RECORD, incident.id)
    # Consulted for the check, named or not: the caller learns a flag and a count from each of them.
    for earlier_id in consulted:
        ctx.audit.record("police_incident.repeat_check", incidents.RECORD, earlier_id)
    for link in offenders:
        ctx.audit.record("person_link.read", persons.LINK, link.id)
    for earlier_id in dict.fromkeys(i for r in repeats for i in r.finding.earlier_incident_ids):
        ctx.audit.record("police_incident.read", incidents.RECORD, earlier_id)
    decisions = await finding_decisions_of(ctx, incident.id)
    return Assessment(
        incident=incident,
        repeats=repeats,
        adult_implicated=bool(adults),
        adult_person_ids=adults,
        indicators=indicators,
        full_investigation=full_investigation_reasons(indicators, adult_implicated=bool(adults)),
        computed=computed,
        finding_decisions=decisions,
    )


async def finding_decisions_of(ctx: Context, incident_id: uuid.UUID) -> list[FindingDecision]:
    rows = list(
        (
            await ctx.session.scalars(
                select(FindingDecision).where(FindingDecision.incident_id == incident_id).order_by(FindingDecision.decided_at, FindingDecision.id)
            )
        ).all()
    )
    for row in rows:
        ctx.audit.record("finding_decision.read", FINDING_DECISION, row.id)
    return rows


async def decide_finding(
    ctx: Context,
    incident_id: uuid.UUID,
    *,
    indicator: FullInvestigationIndicator,
    action: FindingAction,
    reason: str,
    minimum_rank: PoliceRank,
    expected_version: int,
) -> PoliceIncident:
    """P-FULL-INVESTIGATION: clear a finding (it was wrong: it no longer stands) or override it (it stands, set
    aside for the outcome), by a named officer of at least the force's minimum rank, with the reason."""
    incident = await incidents.get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    incidents.ensure_open(incident)
    standing = [FullInvestigationIndicator(value) for value in incident.indicators or []]
    rank = PoliceRank(ctx.actor.rank) if ctx.actor.rank else None
    violations = check_finding_decision(indicator, standing=standing, reason=reason, rank=rank, minimum_rank=minimum_rank)
    if violations:
        raise RuleRefused("The finding cannot be cleared or overridden as asked.", violations=violations)
    decision = FindingDecision(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        indicator=indicator,
        action=action,
        reason=reason,
        decided_by=ctx.actor.audit_label,
        decided_by_rank=rank,
        decided_at=ctx.now,
    )
    ctx.session.add(decision)
    if action is FindingAction.cleared:
        incident.indicators = sorted(value for value in incident.indicators if value != indicator.value)
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record(f"police_incident.finding_{action.value}", incidents.RECORD, incident.id)
    ctx.audit.record("finding_decision.create", FINDING_DECISION, decision.id)
    return incident


def _as_seen(link: PersonLink, finding: RepeatFinding, not_visible: set[str]) -> PersonRepeat:
    # The finding's ids and references are in the same (reference) order.
    named = [
        (incident_id, reference)
        for incident_id, reference in zip(finding.earlier_incident_ids, finding.earlier_references, strict=True)
        if incident_id not in not_visible
    ]
    return PersonRepeat(
        link.person_id,
        link.role,
        RepeatFinding(
            is_repeat=finding.is_repeat,
            earlier_references=[reference for _, reference in named],
            earlier_incident_ids=[incident_id for incident_id, _ in named],
        ),
        withheld=len(finding.earlier_incident_ids) - len(named),
    )


async def record_indicators(
    ctx: Context, incident_id: uuid.UUID, indicators: list[FullInvestigationIndicator], expected_version: int
) -> PoliceIncident:
    """P-FULL-INVESTIGATION: findings are added here; each one dropped is refused by name (clearing is a
    finding decision with a reason, `decide_finding`)."""
    incident = await incidents.get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    incidents.ensure_open(incident)
    violations = check_findings_change([FullInvestigationIndicator(value) for value in incident.indicators or []], indicators)
    if violations:
        raise RuleRefused("A finding cannot be dropped from the assessment.", violations=violations)
    incident.indicators = sorted({indicator.value for indicator in indicators})
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("police_incident.assessment", incidents.RECORD, incident.id)
    return incident


async def route_incident(
    ctx: Context,
    incident_id: uuid.UUID,
    *,
    route: Route,
    override_reason: str | None,
    no_prosecution_reason: str | None,
    expected_version: int,
) -> Assessment:
    """P-ROUTE: take the computed route; another route only as an override with a written reason (audited)."""
    incident = await incidents.get_incident(ctx, incident_id)
    check_version(incident.version, expected_version)
    incidents.ensure_open(incident)
    assessment = await assess(ctx, incident)
    violations = check_route_choice(
        computed=assessment.computed.route, chosen=route, override_reason=override_reason, no_prosecution_reason=no_prosecution_reason
    )
    if violations:
        raise RuleRefused("The route cannot be taken as asked.", violations=violations)
    incident.computed_route = assessment.computed.route
    incident.route = route
    incident.route_override_reason = override_reason if route is not assessment.computed.route else None
    incident.no_prosecution_reason = no_prosecution_reason if route is Route.scpo else None
    incident.routed_at = ctx.now
    incident.routed_by = ctx.actor.audit_label
    incident.status = PoliceIncidentStatus.routed
    incident.updated_at = ctx.now
    await ctx.session.flush()
    ctx.audit.record("police_incident.route_override" if incident.route_override_reason else "police_incident.route", incidents.RECORD, incident.id)
    return assessment


async def _scpo_incident(ctx: Context, incident_id: uuid.UUID) -> PoliceIncident:
    incident = await incidents.get_incident(ctx, incident_id)
    incidents.ensure_open(incident)
    violations = check_scpo_route_activity(incident.route)
    if violations:
        raise RuleRefused("Not on the SCPO route.", violations=violations)
    return incident


async def _check_people(ctx: Context, incident_id: uuid.UUID, person_ids: list[uuid.UUID]) -> None:
    linked = set((await ctx.session.scalars(select(PersonLink.person_id).where(PersonLink.incident_id == incident_id))).all())
    if any(person_id not in linked for person_id in person_ids):
        raise RuleRefused(
            "Only people linked to the incident can be named.",
            violations=[RuleViolation("P-ROUTE", "A person named in a restorative or educational record is not linked to the incident.")],
        )


async def record_restorative_meeting(
    ctx: Context, incident_id: uuid.UUID, *, held_on: date, attendees: list[dict[str, Any]], outcome: str
) -> RestorativeMeeting:
    """P-ROUTE: the victim/offender meeting with the relevant parties (who attended, when, the outcome)."""
    incident = await _scpo_incident(ctx, incident_id)
    await _check_people(ctx, incident.id, [uuid.UUID(str(a["person_id"])) for a in attendees if a.get("person_id")])
    meeting = RestorativeMeeting(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        held_on=held_on,
        attendees=attendees,
        outcome=outcome,
        recorded_by=ctx.actor.audit_label,
        created_at=ctx.now,
    )
    ctx.session.add(meeting)
    await ctx.session.flush()
    ctx.audit.record("restorative_meeting.create", "restorative_meeting", meeting.id)
    return meeting


async def record_education(
    ctx: Context, incident_id: uuid.UUID, *, kind: EducationKind, delivered_on: date, person_id: uuid.UUID | None, description: str
) -> EducationRecord:
    """P-ROUTE: a general lesson or assembly for the school, or a specific input to the victim or offender."""
    incident = await _scpo_incident(ctx, incident_id)
    if kind.for_a_person and person_id is None:
        raise RuleRefused(
            "A specific input names its person.",
            violations=[RuleViolation("P-ROUTE", "A victim or offender input names the person who received it.")],
        )
    if person_id is not None:
        await _check_people(ctx, incident.id, [person_id])
    record = EducationRecord(
        id=uuid.uuid4(),
        force_code=ctx.actor.tenant,
        incident_id=incident.id,
        kind=kind,
        delivered_on=delivered_on,
        person_id=person_id,
        description=description,
        recorded_by=ctx.actor.audit_label,
        created_at=ctx.now,
    )
    ctx.session.add(record)
    await ctx.session.flush()
    ctx.audit.record("education_record.create", "education_record", record.id)
    return record


MEETINGS = Keyset(RestorativeMeeting.created_at, RestorativeMeeting.id, newest_first=False)
EDUCATION = Keyset(EducationRecord.created_at, EducationRecord.id, newest_first=False)


async def meetings_of(
    ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[RestorativeMeeting], str | None]:
    incident = await incidents.find_incident(ctx, incident_id)
    query = select(RestorativeMeeting).where(RestorativeMeeting.incident_id == incident.id)
    rows, next_cursor = await fetch_page(ctx.session, query, MEETINGS, cursor, limit)
    ctx.audit.list_page(
        "restorative_meeting.list", "restorative_meeting", shown_as("restorative_meeting", rows), within=(incidents.RECORD, incident.id)
    )
    return rows, next_cursor


async def education_of(
    ctx: Context, incident_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[EducationRecord], str | None]:
    incident = await incidents.find_incident(ctx, incident_id)
    query = select(EducationRecord).where(EducationRecord.incident_id == incident.id)
    rows, next_cursor = await fetch_page(ctx.session, query, EDUCATION, cursor, limit)
    ctx.audit.list_page(
        "education_record.list", "education_record", shown_as("education_record", rows), within=(incidents.RECORD, incident.id)
    )
    return rows, next_cursor
