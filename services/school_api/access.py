"""School roles and the one place that decides who may do what.

Every route's `SchoolContext` dependency calls `authorize`, which looks the route's operation id
up in `POLICY`. An operation missing from the table is refused for everyone (default deny), and
the access-matrix test fails for it, so a new endpoint cannot ship without a policy entry.
Tenant isolation is not decided here: the session filters every query by the caller's URN.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends

from shared.context import Context, context_dependency, policy_authorizer
from shared.identity import Actor
from shared.tokens import InvalidToken


class SchoolRole(StrEnum):
    dsl = "dsl"
    deputy_dsl = "deputy_dsl"
    headteacher = "headteacher"
    staff = "staff"
    mis = "mis"


DSL = frozenset({SchoolRole.dsl, SchoolRole.deputy_dsl})
SAFEGUARDING_READERS = DSL | {SchoolRole.headteacher}
EVERYONE = frozenset(SchoolRole)

# operation id (the route function's name) -> roles allowed, all within the caller's own school.
POLICY: dict[str, frozenset[SchoolRole]] = {
    "create_incident": EVERYONE,
    "list_incidents": SAFEGUARDING_READERS | {SchoolRole.mis},
    "get_incident": SAFEGUARDING_READERS | {SchoolRole.mis},
    "decide": DSL,
    "list_referrals": SAFEGUARDING_READERS,
    "get_referral": SAFEGUARDING_READERS,
    "list_audit_entries": frozenset({SchoolRole.dsl, SchoolRole.headteacher}),
}

# Roles that see narratives and assessment detail; the MIS client sees summaries only.
SEES_NARRATIVES = SAFEGUARDING_READERS | {SchoolRole.staff}

_URN = re.compile(r"^\d{6}$")


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    role = claims.get("role")
    urn = claims.get("school_urn")
    if role not in SchoolRole.__members__:
        raise InvalidToken("unknown school role")
    if not isinstance(urn, str) or not _URN.match(urn):
        raise InvalidToken("school_urn claim missing or malformed")
    if len(claims["sub"]) > 200:
        raise InvalidToken("subject too long")
    return Actor(subject=claims["sub"], role=role, tenant=urn)


def allowed_roles(operation_id: str) -> frozenset[SchoolRole]:
    return POLICY.get(operation_id, frozenset())


def sees_narratives(actor: Actor) -> bool:
    return actor.role in SEES_NARRATIVES


SchoolContext = Annotated[Context, Depends(context_dependency(policy_authorizer(POLICY)), scope="function")]
