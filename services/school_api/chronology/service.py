"""One incident's whole record as a timeline (JSON), a printable page and a PDF for a case conference.

Entries are ordered by when things happened (`occurred_at`: the disclosure, the custody step, the search,
the action as the DSL dated it), then by when the school recorded them; entries of the same moment keep
the order the procedure gives them. Every entry shows its recorded time too, so that a late record is seen
as late. People are named by role and by the name the record holds; every code is worded once, in
`chronology/words.py`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select

from services.school_api.access import SchoolRole
from services.school_api.actions import service as actions
from services.school_api.assessments import service as assessments
from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor
from services.school_api.authorisations import service as authorisations
from services.school_api.chronology.schemas import Chronology, ChronologyEntry, ChronologyLine
from services.school_api.chronology.vocabulary import ChronologyKind as K
from services.school_api.chronology.words import words, words_of
from services.school_api.decisions import service as decisions
from services.school_api.devices import service as devices
from services.school_api.incidents import service as incidents
from services.school_api.incidents.models import Observation
from services.school_api.incidents.schemas import IncidentDetail
from services.school_api.incidents.vocabulary import ImageInvolvement
from services.school_api.people import service as people
from services.school_api.people.vocabulary import PersonRole, Vulnerability
from services.school_api.referrals import service as referrals
from services.school_api.reviews import service as reviews
from services.school_api.searches import service as searches
from services.school_api.viewings import service as viewings
from shared.context import Context

_RANK = {kind: rank for rank, kind in enumerate(K)}
# Who writes which record (services/school_api/access.py): the role a record's author acted in.
DSL, HEAD = "DSL", "Headteacher"


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _details(row: Any, *names: str) -> dict[str, Any]:
    return {name: _value(getattr(row, name)) for name in names if getattr(row, name) not in (None, [], "")}


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y %H:%M UTC")


def _by(role: str, subject: str | None) -> str | None:
    """The account that recorded it, named by the role the policy gives that record's author."""
    return None if subject is None else f"{role} ({subject})"


@dataclass
class _Draft:
    occurred_at: datetime
    recorded_at: datetime
    kind: K
    record_id: uuid.UUID
    by: str | None
    summary: str
    lines: list[tuple[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


class _Names:
    """The people and devices of the incident as a reader of the record sees them, for the entries that name one."""

    def __init__(self) -> None:
        self.people: dict[uuid.UUID, str] = {}
        self.devices: dict[uuid.UUID, str] = {}

    def person(self, person_id: uuid.UUID | None) -> str | None:
        return None if person_id is None else self.people.get(person_id, "a person not on this record")

    def device(self, device_id: uuid.UUID | None) -> str | None:
        return None if device_id is None else self.devices.get(device_id, "a device not on this record")


def _person_name(row: Any, number: int) -> str:
    name = " ".join(part for part in (row.given_name, row.family_name) if part) or f"person {number}"
    roles = ", ".join(words_of(PersonRole, role) for role in row.roles)
    return f"{words(row.kind)} {name} ({roles})"


def _lines(pairs: list[tuple[str, Any]]) -> list[ChronologyLine]:
    lines = []
    for label, value in pairs:
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            items = [words(item) for item in value]
            # Sentences (reasons) follow one another; short items (criteria, roles) are a list.
            value = " ".join(items) if all(item.endswith(".") for item in items) else "; ".join(items)
        lines.append(ChronologyLine(label=label, text=words(value)))
    return lines


async def build(ctx: Context, incident_id: uuid.UUID) -> Chronology:
    incident = await incidents.get_incident(ctx, incident_id, operation="incident.chronology")
    drafts: list[_Draft] = []
    names = _Names()
    opener = _by(words_of_role(incident.created_by_role), incident.created_by)

    drafts.append(_Draft(
        incident.disclosed_at, incident.created_at, K.disclosure, incident.id, opener, f"Disclosure: incident {incident.reference}",
        [("Disclosed by", incident.disclosure_source), ("The image", incident.image_nature),
         ("Involvement", [ImageInvolvement(value) for value in incident.image_involvement or []]), ("Shared", incident.sharing_extent),
         ("Device held by", incident.device_possession), ("Device", incident.device_ownership), ("DSL consulted", incident.dsl_consulted),
         ("Needs immediate support", incident.immediate_support_needed), ("Other pupils involved", incident.other_pupils_involved),
         ("Where the image ended up", incident.where_image_ended_up), ("Account", incident.narrative)],
        _details(incident, "disclosed_at", "disclosure_source", "image_nature", "narrative", "image_involvement", "sharing_extent",
                 "device_possession", "device_ownership", "dsl_consulted", "immediate_support_needed", "other_pupils_involved",
                 "where_image_ended_up"),
    ))
    observations = (await ctx.session.scalars(select(Observation).where(Observation.incident_id == incident.id))).all()
    for row in observations:
        ctx.audit.record("observation.read", "observation", row.id)
        drafts.append(_Draft(row.observed_at, row.recorded_at, K.observation, row.id, _by(words_of_role(row.recorded_by_role), row.recorded_by),
                             "What a member of staff saw or heard", [("Seen or heard", row.text)], _details(row, "observed_at", "text")))
    for number, row in enumerate(await people.list_people(ctx, incident.id), start=1):
        names.people[row.id] = _person_name(row, number)
        age = f"{row.age_years}" if row.age_years is not None else None
        drafts.append(_Draft(
            row.created_at, row.created_at, K.person_added, row.id, _by(DSL, row.created_by), f"Person involved: {names.people[row.id]}",
            [("UPN", row.upn), ("Date of birth", row.date_of_birth), ("Age", age), ("Sex", row.sex), ("Year group", row.year_group),
             ("More vulnerable than usual", [words_of(Vulnerability, v) for v in row.vulnerabilities or []])],
            _details(row, "kind", "roles", "given_name", "family_name", "upn", "date_of_birth", "age_years", "sex", "year_group", "vulnerabilities"),
        ))
    for number, row in enumerate(await devices.list_devices(ctx, incident.id), start=1):
        owner = names.person(row.owner_person_id)
        names.devices[row.id] = f"device {number} ({words(row.ownership).lower()}{', of ' + owner if owner else ''})"
        drafts.append(_Draft(row.created_at, row.created_at, K.device_added, row.id, _by(DSL, row.created_by), f"Device recorded: {names.devices[row.id]}",
                             [("Description", row.description)], _details(row, "ownership", "owner_person_id", "description")))
    for row in await devices.custody_of(ctx, incident.id):
        drafts.append(_Draft(row.occurred_at, row.recorded_at, K.custody, row.id, row.by_whom, f"{words(row.kind)}: {names.device(row.device_id)}",
                             [("Handed to", row.to_whom), ("Where", row.location)],
                             _details(row, "device_id", "kind", "occurred_at", "by_whom", "to_whom", "location")))
    for row in await authorisations.list_authorisations(ctx, incident.id):
        drafts.append(_Draft(row.authorised_at, row.authorised_at, K.authorisation, row.id, _by(HEAD, row.authorised_by),
                             f"The headteacher authorised {words(row.kind)}",
                             [("Device", names.device(row.device_id)), ("Authorised person", row.authorised_person), ("Reason", row.reason)],
                             _details(row, "kind", "device_id", "authorised_person", "reason")))
    for row in await searches.list_searches(ctx, incident.id):
        drafts.append(_Draft(
            row.searched_at, row.recorded_at, K.device_search, row.id, row.searched_by, f"Device searched: {names.device(row.device_id)} (S-SEARCH)",
            [("Safeguarding team member present", row.safeguarding_member_present), ("Searcher of the same sex", row.searcher_same_sex_as_pupil),
             ("In line with school policy", row.in_line_with_school_policy), ("Would add distress", row.would_add_distress),
             ("Distress judgement", row.distress_judgement), ("Findings", row.findings)],
            _details(row, "device_id", "searched_by", "safeguarding_member_present", "searcher_same_sex_as_pupil",
                     "in_line_with_school_policy", "would_add_distress", "distress_judgement", "findings", "searched_at"),
        ))
    for row in await viewings.list_viewings(ctx, incident.id):
        drafts.append(_Draft(row.viewed_at, row.recorded_at, K.image_viewing, row.id, _by(DSL, row.viewed_by),
                             "Image viewed by the DSL with the headteacher's agreement (S-IMAGE)",
                             [("Device", names.device(row.device_id)), ("Reason", row.reason), ("Distress judgement", row.distress_judgement)],
                             _details(row, "device_id", "authorisation_id", "reason", "distress_judgement", "viewed_at")))
    for row in await assessments.list_assessments(ctx, incident.id):
        drafts.append(_Draft(
            row.assessed_at, row.assessed_at, K.risk_assessment, row.id, _by(DSL, row.assessed_by),
            f"Risk assessment: {words(row.recommendation)} ({', '.join(row.rule_ids)})",
            [("Typology", row.typology), ("Immediate referral criteria met", [words_of(ImmediateCriterion, c) for c in row.immediate_criteria_met]),
             ("Judgement factors present", [words_of(JudgementFactor, f) for f in row.factors_present]), ("Reasons", row.reasons), ("Notes", row.notes)],
            _details(row, "typology", "immediate_criteria_met", "factors_present", "recommendation", "rule_ids", "reasons", "notes"),
        ))
    for row in await decisions.list_decisions(ctx, incident.id):
        drafts.append(_Draft(
            row.decided_at, row.decided_at, K.decision, row.id, _by(DSL, row.decided_by), f"Decision: {words(row.outcome)}",
            [("Channel", row.police_channel), ("Reasons", row.reasons), ("Parents or carers informed", row.inform_parents),
             ("Why parents are not informed", row.parents_not_informed_reason), ("Safeguards", row.safeguards)],
            _details(row, "outcome", "police_channel", "reasons", "inform_parents", "parents_not_informed_reason", "safeguards"),
        ))
    for row in await referrals.list_referrals(ctx, incident.id):
        drafts.append(_Draft(row.created_at, row.created_at, K.police_referral, row.id, _by(DSL, row.created_by),
                             f"Police referral queued: {words(row.channel)}", [("Now", row.delivery_state)],
                             _details(row, "channel", "delivery_state", "police_reference", "delivered_at")))
        if row.delivered_at is not None:
            drafts.append(_Draft(row.delivered_at, row.delivered_at, K.referral_delivered, row.id, "The school's relay",
                                 f"Referral received by the police: reference {row.police_reference}", [], {"police_reference": row.police_reference}))
        if row.police_status and row.police_status_checked_at is not None:
            status = row.police_status
            drafts.append(_Draft(
                row.police_status_checked_at, row.police_status_checked_at, K.police_status, row.id, "The police, through the relay",
                f"Police status: {'case finalised' if status.get('finalised') else 'case open'}",
                [("Crimes recorded", status.get("crimes_recorded")), ("PPU notified", status.get("ppu_notified")),
                 ("Route", {"cid": "CID", "scpo": "Safer Schools officer (SCPO)"}.get(status.get("route") or "", status.get("route"))),
                 ("Outcome", status.get("outcome"))],
                {"police_status": status},
            ))
    for row in await reviews.list_reviews(ctx, incident.id):
        drafts.append(_Draft(row.reviewed_at, row.reviewed_at, K.review, row.id, _by(DSL, row.reviewed_by), "Outcome and procedures reviewed (S-REVIEW)",
                             [("Outcome", row.outcome), ("What worked", row.what_worked), ("Procedure changes", row.procedure_changes)],
                             _details(row, "outcome", "what_worked", "procedure_changes")))
    for row in await actions.list_actions(ctx, incident.id):
        drafts.append(_Draft(row.occurred_at, row.recorded_at, K.action, row.id, row.performed_by,
                             f"{words(row.kind)}{'' if row.taken else ': NOT taken'}", [("Why", row.justification)],
                             _details(row, "kind", "taken", "justification", "performed_by", "occurred_at")))
    if incident.closed_at is not None:
        drafts.append(_Draft(incident.closed_at, incident.closed_at, K.incident_closed, incident.id, _by(DSL, incident.closed_by), "Incident closed",
                             [("Resolution", incident.resolution)], _details(incident, "resolution")))

    drafts.sort(key=lambda d: (d.occurred_at, d.recorded_at, _RANK[d.kind]))
    entries = [
        ChronologyEntry(
            sequence=index, occurred_at=d.occurred_at, recorded_at=d.recorded_at, kind=d.kind, record_id=d.record_id, by=d.by,
            summary=d.summary, lines=_lines(d.lines), details=d.details,
        )
        for index, d in enumerate(drafts, start=1)
    ]
    return Chronology(incident=IncidentDetail.model_validate(incident, from_attributes=True), entries=entries)


def words_of_role(role: str | None) -> str:
    return words_of(SchoolRole, role) if role else "Someone"


PRINT_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#111;line-height:1.35}
h1{font-size:1.5em;margin:0 0 .3em}
.marking{border:2px solid #111;padding:.3em .6em;display:inline-block;font-weight:bold;letter-spacing:.05em}
.facts{margin:.8em 0 1.2em;color:#333}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #888;padding:.35em .5em;vertical-align:top;text-align:left}
th{background:#e8e8e8}
td.n{width:2em;text-align:right;color:#555}
td.when{width:9.5em;white-space:nowrap}
td.when small{display:block;color:#555}
td.by{width:13em}
.summary{font-weight:bold}
dl{margin:.3em 0 0;display:grid;grid-template-columns:max-content 1fr;column-gap:.8em;row-gap:.1em}
dt{color:#444}
dd{margin:0}
@page{size:A4 landscape;margin:14mm 12mm}
@media print{
  body{margin:0;font-size:9.5pt}
  th{background:none;border-bottom:2px solid #111}
  thead{display:table-header-group}
  tr{break-inside:avoid;page-break-inside:avoid}
  .noprint{display:none}
  a{color:inherit;text-decoration:none}
}
"""


def render_html(chronology: Chronology, printed_at: datetime) -> str:
    """A self-contained printable page. Every value is HTML-escaped; no script, no external resource."""
    incident = chronology.incident
    rows = []
    for entry in chronology.entries:
        details = "".join(f"<dt>{escape(line.label)}</dt><dd>{escape(line.text).replace(chr(10), '<br>')}</dd>" for line in entry.lines)
        rows.append(
            "<tr>"
            f"<td class=\"n\">{entry.sequence}</td>"
            f"<td class=\"when\">{escape(_when(entry.occurred_at))}<small>recorded {escape(_when(entry.recorded_at))}</small></td>"
            f"<td><div class=\"summary\">{escape(entry.summary)}</div>{'<dl>' + details + '</dl>' if details else ''}</td>"
            f"<td class=\"by\">{escape(entry.by or '')}</td>"
            "</tr>"
        )
    reference = escape(incident.reference)
    return (
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        f"<title>Chronology {reference}</title><style>{PRINT_CSS}</style></head><body>"
        "<p class=\"marking\">OFFICIAL-SENSITIVE: child protection record</p>"
        f"<h1>Safeguarding chronology: incident {reference}</h1>"
        f"<p class=\"facts\">School URN {escape(incident.school_urn)}. Status: {escape(words(incident.status))}. "
        f"Disclosed {escape(_when(incident.disclosed_at))}. Printed {escape(_when(printed_at))}. "
        "For the case conference only; do not copy. Entries are in the order things happened.</p>"
        "<table><thead><tr><th>#</th><th>When it happened</th><th>What happened</th><th>By</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
