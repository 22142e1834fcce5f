"""Every model of the police database, imported so that the metadata is complete (Alembic, tests)."""
from services.police_api.clients.models import ClientAuthFailure, SchoolClient
from services.police_api.console.models import ConsoleSessionRecord, PendingSignInRecord
from services.police_api.crimes.models import Crime, CrimeCorrection, CrimeSubject, OffenceCodeRef, VictimContact, YoungPersonNotice
from services.police_api.database import AuditEntry, Base
from services.police_api.feed.models import StatusChange, StatusFeedCounter
from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.persons.models import Person, PersonLink, PersonLinkChange, PersonMerge
from services.police_api.ppu.models import PPUNotification, PPUUpdate
from services.police_api.reports.models import IdempotencyRecord, SchoolReport
from services.police_api.retention.models import Disposal, LegalHold
from services.police_api.routing.models import EducationRecord, FindingDecision, RestorativeMeeting

__all__ = [
    "AuditEntry",
    "Base",
    "ClientAuthFailure",
    "ConsoleSessionRecord",
    "Crime",
    "CrimeCorrection",
    "CrimeSubject",
    "Disposal",
    "EducationRecord",
    "FindingDecision",
    "ForceCounter",
    "IdempotencyRecord",
    "LegalHold",
    "OffenceCodeRef",
    "Person",
    "PersonLink",
    "PersonLinkChange",
    "PersonMerge",
    "PendingSignInRecord",
    "PPUNotification",
    "PPUUpdate",
    "PoliceIncident",
    "RestorativeMeeting",
    "SchoolClient",
    "SchoolReport",
    "StatusChange",
    "StatusFeedCounter",
    "VictimContact",
    "YoungPersonNotice",
]
