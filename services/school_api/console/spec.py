"""What the school console is: its roles, tenant and navigation (shared/console/web.py does the rest)."""
from __future__ import annotations

from pathlib import Path

from services.school_api.access import POLICY, SchoolRole
from services.school_api.settings import AUDIENCE
from shared.console.web import ConsoleSpec, NavItem

# People only: the MIS client is a system and has no console.
ROLES = [
    (SchoolRole.dsl.value, "Designated Safeguarding Lead (DSL)"),
    (SchoolRole.deputy_dsl.value, "Deputy DSL"),
    (SchoolRole.headteacher.value, "Headteacher"),
    (SchoolRole.staff.value, "Member of staff"),
]

SPEC = ConsoleSpec(
    service="school_api",
    title="School safeguarding console",
    audience=AUDIENCE,
    tenant_claim="school_urn",
    tenant_label="School URN",
    tenant_hint="Six digits, for example 100001.",
    tenant_pattern=r"\d{6}",
    default_tenant="100001",
    roles=ROLES,
    policy=POLICY,
    home="/incidents",
    nav=[NavItem("Incidents", "/incidents", "list_incidents"), NavItem("New incident", "/incidents/new", "create_incident")],
    templates=Path(__file__).resolve().parent / "templates",
)
