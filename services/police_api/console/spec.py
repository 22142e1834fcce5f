"""What the police console is: officer roles, the force as tenant, navigation."""
from __future__ import annotations

from pathlib import Path

from services.police_api.access import POLICY, PoliceRole
from services.police_api.routing.vocabulary import PoliceRank
from services.police_api.settings import AUDIENCE
from shared.console.web import ConsoleSpec, NavItem

# Officers only: a school client is the school's relay, not a person.
ROLES = [
    (PoliceRole.call_handler.value, "Call handler (101)"),
    (PoliceRole.scpo.value, "Safer Schools officer (SCPO)"),
    (PoliceRole.ppu.value, "Public Protection Unit (PPU)"),
    (PoliceRole.cid.value, "CID"),
    (PoliceRole.supervisor.value, "Supervisor"),
    (PoliceRole.crime_registrar.value, "Force Crime Registrar"),
]

SPEC = ConsoleSpec(
    service="police_api",
    title="Police youth-imagery console",
    audience=AUDIENCE,
    tenant_claim="force_code",
    tenant_label="Force code",
    tenant_hint="Two digits, for example 52 (Avon and Somerset).",
    tenant_pattern=r"\d{2}",
    default_tenant="52",
    roles=ROLES,
    policy=POLICY,
    home="/incidents",
    nav=[
        NavItem("Intake queue", "/queue", "list_reports"),
        NavItem("Incidents", "/incidents", "list_incidents"),
        NavItem("PPU queue", "/ppu", "list_ppu_notifications"),
        NavItem("Crime recording compliance", "/compliance", "list_late_crimes"),
        NavItem("Audit log", "/audit", "list_audit_entries"),
    ],
    templates=Path(__file__).resolve().parent / "templates",
    # The force identity provider's `rank` claim: a finding is cleared or overridden only by an officer of the
    # force's minimum rank or above (P-FULL-INVESTIGATION). Police staff (a registrar) hold none.
    ranks=[(rank.value, rank.value.replace("_", " ").capitalize()) for rank in PoliceRank],
)
