"""Police roles and the one place that decides who may do what.

Every route's `PoliceContext` dependency calls `authorize`, which looks the route's operation id
up in `POLICY` (default deny). Force isolation is not decided here: the session filters every
query by the caller's force code, so one force never reads another's rows.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends

from shared.context import Context, context_dependency, policy_authorizer
from shared.identifiers import is_force_code
from shared.identity import Actor
from shared.tokens import InvalidToken


class PoliceRole(StrEnum):
    call_handler = "call_handler"
    scpo = "scpo"
    ppu = "ppu"
    cid = "cid"
    supervisor = "supervisor"
    crime_registrar = "crime_registrar"
    school_client = "school_client"


OFFICERS = frozenset(PoliceRole) - {PoliceRole.school_client}
_R = PoliceRole
# Who works the school's report and its incident. SCPO: everything on school reports; supervisor:
# everything in the force; crime registrar: reads everything, corrects crime recording.
_READERS = frozenset({_R.call_handler, _R.scpo, _R.cid, _R.supervisor, _R.crime_registrar})
_INVESTIGATORS = frozenset({_R.scpo, _R.cid, _R.supervisor})

POLICY: dict[str, frozenset[PoliceRole]] = {
    # School reports (P-101)
    "submit_report": frozenset({_R.school_client}),
    "get_report_status": frozenset({_R.school_client}),
    "follow_status_changes": frozenset({_R.school_client}),
    "list_reports": frozenset({_R.call_handler, _R.scpo, _R.supervisor, _R.crime_registrar}),
    "get_report": frozenset({_R.call_handler, _R.scpo, _R.supervisor, _R.crime_registrar}),
    "triage_report": frozenset({_R.call_handler, _R.scpo, _R.supervisor}),
    # Incidents (P-INCIDENT, P-101); CID and PPU see only their own incidents (incidents.service.visible)
    "list_incidents": OFFICERS,
    "get_incident": OFFICERS,
    "create_incident": frozenset({_R.call_handler, _R.scpo, _R.supervisor}),
    "update_incident": frozenset({_R.call_handler, _R.scpo, _R.supervisor}),
    "finalise_incident": frozenset({_R.supervisor}),
    # Persons and links (P-CRIME)
    # The nominal index spans every incident of the force: not for the PPU or CID, whose view is
    # limited to the incidents they were notified of or that were routed to them.
    "get_person": frozenset({_R.call_handler, _R.scpo, _R.supervisor, _R.crime_registrar}),
    "merge_persons": frozenset({_R.scpo, _R.supervisor, _R.crime_registrar}),
    "list_links": OFFICERS,
    "create_link": frozenset({_R.call_handler, _R.scpo, _R.cid, _R.supervisor}),
    "update_link": frozenset({_R.call_handler, _R.scpo, _R.cid, _R.supervisor}),
    # Crimes (P-CRIME, P-OFFENCES)
    "record_crime": frozenset({_R.scpo, _R.cid, _R.supervisor, _R.crime_registrar}),
    "record_no_crime_decision": frozenset({_R.scpo, _R.cid, _R.supervisor, _R.crime_registrar}),
    "list_crimes": _READERS,
    "get_crime": _READERS,
    "correct_crime_recording": frozenset({_R.crime_registrar, _R.supervisor}),
    "record_victim_contact": _INVESTIGATORS,
    "list_offence_codes": OFFICERS,
    "list_outcome_codes": OFFICERS,
    # PPU (P-PPU)
    "list_ppu_notifications": frozenset({_R.ppu, _R.scpo, _R.supervisor, _R.crime_registrar}),
    "list_incident_ppu_notifications": OFFICERS,
    "get_ppu_notification": frozenset({_R.ppu, _R.scpo, _R.supervisor, _R.crime_registrar}),
    "acknowledge_ppu_notification": frozenset({_R.ppu, _R.supervisor}),
    "add_ppu_update": frozenset({_R.ppu, _R.supervisor}),
    # Assessment and route (P-REPEAT, P-ROUTE, P-FULL-INVESTIGATION)
    "get_assessment": _READERS,
    "record_assessment": _INVESTIGATORS,
    "route_incident": frozenset({_R.scpo, _R.supervisor}),
    "override_route": frozenset({_R.supervisor}),
    "record_restorative_meeting": frozenset({_R.scpo, _R.supervisor}),
    "list_restorative_meetings": _READERS,
    "record_education": frozenset({_R.scpo, _R.supervisor}),
    "list_education": _READERS,
    # Outcomes (P-OUTCOME21, P-OUTCOME22, P-NOTICE)
    "propose_outcome": _INVESTIGATORS,
    "finalise_outcome": frozenset({_R.supervisor}),
    "get_young_person_notices": _INVESTIGATORS,
    # NCRS compliance (P-CRIME)
    "list_late_crimes": frozenset({_R.crime_registrar, _R.supervisor}),
    "list_undecided_incidents": frozenset({_R.crime_registrar, _R.supervisor}),
    "list_audit_entries": frozenset({_R.supervisor, _R.crime_registrar}),
    # Retention (MoPI, docs/retention.md): holds are placed and lifted by the registrar or a supervisor.
    "get_retention": frozenset({_R.supervisor, _R.crime_registrar}),
    "place_legal_hold": frozenset({_R.supervisor, _R.crime_registrar}),
    "lift_legal_hold": frozenset({_R.supervisor, _R.crime_registrar}),
    # Subject access (DPA 2018 s.45): the force crime registrar answers the request.
    "export_subject_access": frozenset({_R.crime_registrar}),
}

_URN = re.compile(r"^\d{6}$")


class ClaimsReader:
    """Turns verified claims into an Actor; school clients only from this service's own issuer."""

    def __init__(self, client_token_issuer: str) -> None:
        self.client_token_issuer = client_token_issuer

    def __call__(self, claims: dict[str, Any]) -> Actor:
        role = claims.get("role")
        force_code = claims.get("force_code")
        if role not in PoliceRole.__members__:
            raise InvalidToken("unknown police role")
        if not isinstance(force_code, str) or not is_force_code(force_code):
            raise InvalidToken("force_code claim missing or unknown")
        if len(claims["sub"]) > 200:
            raise InvalidToken("subject too long")
        from_self = claims["iss"] == self.client_token_issuer
        if (role == PoliceRole.school_client) != from_self:
            raise InvalidToken("role not issued by this issuer")
        school_urn = claims.get("school_urn")
        if role == PoliceRole.school_client and (not isinstance(school_urn, str) or not _URN.match(school_urn)):
            raise InvalidToken("school client without a school")
        return Actor(subject=claims["sub"], role=role, tenant=force_code, school_urn=school_urn if from_self else None)



PoliceContext = Annotated[Context, Depends(context_dependency(policy_authorizer(POLICY)), scope="function")]
