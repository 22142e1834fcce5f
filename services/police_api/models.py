"""Every model of the police database, imported so that the metadata is complete (Alembic, tests)."""
from services.police_api.clients.models import ClientAuthFailure, SchoolClient
from services.police_api.crimes.models import Crime, CrimeCorrection, CrimeSubject, OffenceCodeRef, VictimContact
from services.police_api.database import AuditEntry, Base
from services.police_api.feed.models import StatusChange, StatusFeedCounter
from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.persons.models import Person, PersonLink, PersonMerge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.reports.models import IdempotencyRecord, SchoolReport
from services.police_api.retention.models import Disposal, LegalHold
from services.police_api.routing.models import EducationRecord, RestorativeMeeting

__all__ = [
    "AuditEntry",
    "Base",
    "ClientAuthFailure",
    "Crime",
    "CrimeCorrection",
    "CrimeSubject",
    "Disposal",
    "EducationRecord",
    "ForceCounter",
    "IdempotencyRecord",
    "LegalHold",
    "OffenceCodeRef",
    "Person",
    "PersonLink",
    "PersonMerge",
    "PPUNotification",
    "PPUUpdate",
    "PoliceIncident",
    "RestorativeMeeting",
    "SchoolClient",
    "SchoolReport",
    "StatusChange",
    "StatusFeedCounter",
    "VictimContact",
]
