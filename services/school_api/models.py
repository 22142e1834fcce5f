"""Every model of the school database, imported so that the metadata is complete (Alembic, tests)."""
from services.school_api.actions.models import ActionEntry
from services.school_api.assessments.models import RiskAssessment
from services.school_api.authorisations.models import Authorisation
from services.school_api.child_accounts.models import ChildAccount
from services.school_api.console.models import ConsoleSessionRecord, PendingSignInRecord
from services.school_api.database import AuditEntry, Base
from services.school_api.decisions.models import Decision
from services.school_api.devices.models import CustodyEvent, Device
from services.school_api.incidents.models import Incident, IncidentCounter, Observation
from services.school_api.initial_reviews.models import InitialReview
from services.school_api.narratives.models import NarrativeVersion
from services.school_api.people.models import Person
from services.school_api.referrals.models import OutboxMessage, PoliceFeedPosition, PoliceReferral
from services.school_api.retention.models import Disposal, LegalHold
from services.school_api.reviews.models import Review
from services.school_api.searches.models import DeviceSearch
from services.school_api.viewings.models import ImageViewing

__all__ = [
    "ActionEntry", "AuditEntry", "Authorisation", "Base", "ChildAccount", "ConsoleSessionRecord", "CustodyEvent", "Decision", "Device",
    "DeviceSearch", "Disposal", "ImageViewing", "Incident", "IncidentCounter", "InitialReview", "LegalHold",
    "NarrativeVersion", "Observation", "OutboxMessage", "PendingSignInRecord", "Person", "PoliceFeedPosition", "PoliceReferral", "Review",
    "RiskAssessment",
]
