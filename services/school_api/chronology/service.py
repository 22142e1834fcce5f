"""One incident's whole record as an ordered timeline (JSON) and a printable page for a case conference.

Entries are ordered by the time the school recorded them; entries written in the same request (a decision,
its referral and its action-log lines) keep the order the procedure gives them.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select

from services.school_api.actions import service as actions
from services.school_api.assessments import service as assessments
from services.school_api.authorisations import service as authorisations
from services.school_api.child_accounts import service as child_accounts
from services.school_api.chronology.schemas import Chronology, ChronologyEntry
from services.school_api.decisions import service as decisions
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Observation
from services.school_api.incidents.schemas import IncidentDetail
from services.school_api.initial_reviews import service as initial_reviews
from services.school_api.people import service as people
from services.school_api.referrals import service as referrals
from services.school_api.reviews import service as reviews
from services.school_api.searches import service as searches
from services.school_api.viewings import service as viewings
from shared.context import Context

_RANK = {
    "incident_opened": 0, "observation": 1, "person_added": 2, "device_added": 3, "custody": 4,
    "authorisation": 5, "device_search": 6, "image_viewing": 7, "initial_review": 8, "child_account": 9,
    "risk_assessment": 10, "decision": 11, "police_referral": 12, "review": 13, "action": 14, "incident_closed": 15,
}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _details(row: Any, *names: str) -> dict[str, Any]:
    return {name: _value(getattr(row, name)) for name in names if getattr(row, name) not in (None, [], "", {})}


async def build(ctx: Context, incident_id: uuid.UUID) -> Chronology:
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.chronology")
    raw: list[tuple[datetime, str, uuid.UUID, str | None, str, dict[str, Any]]] = []

    def add(at: datetime, kind: str, record_id: uuid.UUID, by: str | None, summary: str, details: dict[str, Any]) -> None:
        raw.append((at, kind, record_id, by, summary, details))

    add(incident.created_at, "incident_opened", incident.id, incident.created_by, f"Incident {incident.reference} opened from a disclosure",
        _details(incident, "disclosed_at", "disclosure_source", "image_nature", "narrative", "image_involvement", "sharing_extent",
                 "device_possession", "device_ownership", "dsl_consulted", "immediate_support_needed", "other_pupils_involved",
                 "where_image_ended_up"))
    observations = (await ctx.session.scalars(select(Observation).where(Observation.incident_id == incident.id))).all()
    for row in observations:
        ctx.audit.record("observation.read", "observation", row.id)
        add(row.recorded_at, "observation", row.id, row.recorded_by, "What a member of staff saw or heard", _details(row, "observed_at", "text"))
    for row in await people.list_people(ctx, incident.id):
        add(row.created_at, "person_added", row.id, row.created_by, f"Person involved added ({row.kind.value})",
            _details(row, "kind", "roles", "given_name", "family_name", "upn", "date_of_birth", "age_years", "sex", "year_group", "vulnerabilities"))
    for row in await devices.list_devices(ctx, incident.id):
        add(row.created_at, "device_added", row.id, row.created_by, f"Device recorded ({row.ownership.value})", _details(row, "ownership", "owner_person_id", "description"))
    for row in await devices.custody_of(ctx, incident.id):
        add(row.recorded_at, "custody", row.id, row.recorded_by, f"Custody: {row.kind.value}",
            _details(row, "device_id", "kind", "occurred_at", "by_whom", "to_whom", "location"))
    for row in await authorisations.list_authorisations(ctx, incident.id):
        add(row.authorised_at, "authorisation", row.id, row.authorised_by, f"Headteacher authorised: {row.kind.value}",
            _details(row, "kind", "device_id", "authorised_person", "reason"))
    for row in await searches.list_searches(ctx, incident.id):
        add(row.recorded_at, "device_search", row.id, row.recorded_by, "Device searched (S-SEARCH conditions met)",
            _details(row, "device_id", "searched_by", "safeguarding_member_present", "searcher_same_sex_as_pupil",
                     "in_line_with_school_policy", "would_add_distress", "distress_judgement", "findings", "searched_at"))
    for row in await viewings.list_viewings(ctx, incident.id):
        add(row.recorded_at, "image_viewing", row.id, row.viewed_by, "Image viewed by the DSL with the headteacher's agreement (S-IMAGE)",
            _details(row, "device_id", "authorisation_id", "reason", "distress_judgement", "viewed_at"))
    for row in await initial_reviews.list_initial_reviews(ctx, incident.id):
        add(row.recorded_at, "initial_review", row.id, row.recorded_by, "The DSL's initial review meeting (S-INITIAL-REVIEW)",
            _details(row, "held_at", "attendees", "decided"))
    for row in await child_accounts.list_child_accounts(ctx, incident.id):
        add(row.recorded_at, "child_account", row.id, row.recorded_by, "The child's own account and wishes (S-CHILD-VOICE)",
            _details(row, "person_id", "given_at", "given", "account", "wishes", "heard_by"))
    for row in await assessments.list_assessments(ctx, incident.id):
        add(row.assessed_at, "risk_assessment", row.id, row.assessed_by, f"Risk assessment: {row.recommendation.value}",
            _details(row, "typology", "immediate_criteria_met", "factors_present", "recommendation", "rule_ids", "reasons", "notes"))
    for row in await decisions.list_decisions(ctx, incident.id):
        add(row.decided_at, "decision", row.id, row.decided_by, f"Decision: {row.outcome.value}",
            _details(row, "outcome", "police_channel", "reasons", "inform_parents", "parents_not_informed_reason", "safeguards", "factor_reasons"))
    for row in await referrals.list_referrals(ctx, incident.id):
        add(row.created_at, "police_referral", row.id, row.created_by, f"Police referral ({row.delivery_state.value})",
            _details(row, "channel", "delivery_state", "police_reference", "delivered_at"))
    for row in await reviews.list_reviews(ctx, incident.id):
        add(row.reviewed_at, "review", row.id, row.reviewed_by, "Outcome and procedures reviewed (S-REVIEW)",
            _details(row, "outcome", "what_worked", "procedure_changes"))
    for row in await actions.list_actions(ctx, incident.id):
        add(row.recorded_at, "action", row.id, row.recorded_by, f"Action {'taken' if row.taken else 'NOT taken'}: {row.kind.value}",
            _details(row, "kind", "taken", "justification", "performed_by", "occurred_at", "due_at", "outcome"))
    if incident.closed_at is not None:
        add(incident.closed_at, "incident_closed", incident.id, incident.closed_by, "Incident closed", _details(incident, "resolution"))

    raw.sort(key=lambda entry: (entry[0], _RANK[entry[1]]))
    entries = [
        ChronologyEntry(sequence=index, at=at, kind=kind, record_id=record_id, recorded_by=by, summary=summary, details=details)
        for index, (at, kind, record_id, by, summary, details) in enumerate(raw, start=1)
    ]
    return Chronology(incident=IncidentDetail.model_validate(incident, from_attributes=True), entries=entries)


def _render_value(value: Any) -> str:
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{escape(str(item))}</li>" for item in value) + "</ul>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value)).replace("\n", "<br>")


def render_html(chronology: Chronology, printed_at: datetime) -> str:
    """A self-contained printable page. Every value is HTML-escaped; no script, no external resource."""
    incident = chronology.incident
    rows = []
    for entry in chronology.entries:
        details = "".join(
            f"<dt>{escape(name.replace('_', ' '))}</dt><dd>{_render_value(value)}</dd>" for name, value in entry.details.items()
        )
        rows.append(
            "<tr>"
            f"<td>{entry.sequence}</td>"
            f"<td>{escape(entry.at.strftime('%Y-%m-%d %H:%M:%S UTC'))}</td>"
            f"<td><strong>{escape(entry.summary)}</strong><dl>{details}</dl></td>"
            f"<td>{escape(entry.recorded_by or '')}</td>"
            "</tr>"
        )
    reference = escape(incident.reference)
    return (
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        f"<title>Chronology {reference}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}dt{font-weight:bold}"
        "dd{margin:0 0 4px 1em}@media print{.noprint{display:none}}</style></head><body>"
        f"<h1>Safeguarding chronology: incident {reference}</h1>"
        "<p><strong>OFFICIAL-SENSITIVE: child protection record.</strong> For the case conference only; do not copy.</p>"
        f"<p>School URN {escape(incident.school_urn)}. Status: {escape(incident.status.value)}. "
        f"Disclosed {escape(incident.disclosed_at.strftime('%Y-%m-%d %H:%M UTC'))}. "
        f"Printed {escape(printed_at.strftime('%Y-%m-%d %H:%M UTC'))}.</p>"
        "<table><thead><tr><th>#</th><th>Recorded</th><th>Entry</th><th>By</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
