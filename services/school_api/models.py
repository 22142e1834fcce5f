"""Every model of the school database, imported so that the metadata is complete (Alembic, tests)."""
from services.school_api.database import AuditEntry, Base
from services.school_api.decisions.models import Decision
from services.school_api.incidents.models import Incident, IncidentCounter
from services.school_api.referrals.models import OutboxMessage, PoliceReferral

__all__ = ["AuditEntry", "Base", "Decision", "Incident", "IncidentCounter", "OutboxMessage", "PoliceReferral"]
