"""Every model of the police database, imported so that the metadata is complete (Alembic, tests)."""
from services.police_api.clients.models import ClientAuthFailure, SchoolClient
from services.police_api.database import AuditEntry, Base
from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.reports.models import IdempotencyRecord, SchoolReport

__all__ = [
    "AuditEntry",
    "Base",
    "ClientAuthFailure",
    "ForceCounter",
    "IdempotencyRecord",
    "PoliceIncident",
    "SchoolClient",
    "SchoolReport",
]
