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
# docs/school-workflow.md carries the same table with paths.
POLICY: dict[str, frozenset[SchoolRole]] = {
    # incidents: anyone opens one from a disclosure; staff then reach only their own, as reference and status.
    "create_incident": EVERYONE,
    "list_incidents": SAFEGUARDING_READERS | {SchoolRole.mis},
    "get_incident": EVERYONE,
    "update_incident": DSL,
    "add_observation": SAFEGUARDING_READERS | {SchoolRole.staff},
    "list_observations": SAFEGUARDING_READERS,
    "close_incident": DSL,
    # people: the MIS client may add people (it knows the pupils), never read them back.
    "add_person": DSL | {SchoolRole.mis},
    "list_people": SAFEGUARDING_READERS,
    "get_person": SAFEGUARDING_READERS,
    "update_person": DSL,
    "add_device": DSL,
    "list_devices": SAFEGUARDING_READERS,
    "get_device": SAFEGUARDING_READERS,
    "record_custody": DSL,
    "record_action": DSL,
    "list_actions": SAFEGUARDING_READERS,
    # S-SEARCH / S-IMAGE: only the headteacher authorises a search or agrees to an image being viewed.
    "authorise": frozenset({SchoolRole.headteacher}),
    "list_authorisations": SAFEGUARDING_READERS,
    "record_search": DSL,
    "list_searches": SAFEGUARDING_READERS,
    # Reachable by every member of staff on purpose: S-IMAGE itself refuses anyone but the DSL, naming the rule.
    "record_image_viewing": SAFEGUARDING_READERS | {SchoolRole.staff},
    "list_image_viewings": SAFEGUARDING_READERS,
    "assess_risk": DSL,
    "list_assessments": SAFEGUARDING_READERS,
    "decide": DSL,
    "get_decision": SAFEGUARDING_READERS,
    "review_incident": DSL,
    "list_reviews": SAFEGUARDING_READERS,
    "get_chronology": SAFEGUARDING_READERS,
    "get_chronology_html": SAFEGUARDING_READERS,
    "get_chronology_pdf": SAFEGUARDING_READERS,
    "list_referrals": SAFEGUARDING_READERS,
    # Issue 12: the steps of the guidance that were missing, and what is still open.
    "record_initial_review": DSL,
    "list_initial_reviews": SAFEGUARDING_READERS,
    "record_child_account": DSL,
    "list_child_accounts": SAFEGUARDING_READERS,
    "get_next_steps": SAFEGUARDING_READERS,
    "get_referral": SAFEGUARDING_READERS,
    "list_audit_entries": frozenset({SchoolRole.dsl, SchoolRole.headteacher}),
    # Retention (docs/retention.md): a legal hold is placed and lifted by the DSL or the headteacher.
    "get_retention": SAFEGUARDING_READERS,
    "place_legal_hold": SAFEGUARDING_READERS,
    "lift_legal_hold": SAFEGUARDING_READERS,
    # An edited narrative keeps its earlier texts, for those who read narratives in full.
    "get_narrative_history": SAFEGUARDING_READERS,
    # Subject access (UK GDPR Art. 15): the DSL answers the request.
    "export_subject_access": DSL,
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



def sees_narratives(actor: Actor) -> bool:
    return actor.role in SEES_NARRATIVES


SchoolContext = Annotated[Context, Depends(context_dependency(policy_authorizer(POLICY)), scope="function")]
