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

POLICY: dict[str, frozenset[PoliceRole]] = {
    "submit_report": frozenset({PoliceRole.school_client}),
    "get_report_status": frozenset({PoliceRole.school_client}),
    "list_reports": frozenset({PoliceRole.call_handler, PoliceRole.scpo, PoliceRole.supervisor, PoliceRole.crime_registrar}),
    "get_report": frozenset({PoliceRole.call_handler, PoliceRole.scpo, PoliceRole.supervisor, PoliceRole.crime_registrar}),
    "list_incidents": OFFICERS,
    "get_incident": OFFICERS,
    "list_audit_entries": frozenset({PoliceRole.supervisor, PoliceRole.crime_registrar}),
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


def allowed_roles(operation_id: str) -> frozenset[PoliceRole]:
    return POLICY.get(operation_id, frozenset())


PoliceContext = Annotated[Context, Depends(context_dependency(policy_authorizer(POLICY)), scope="function")]
