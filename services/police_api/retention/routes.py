"""GET /incidents/{id}/retention and the legal hold on a force's records (docs/retention.md).

The handlers are shared/retention/routes.py; here is what is the force's: its context, how it reaches an
incident, its wire shapes (with the next MoPI review) and the words of its document.
"""
from __future__ import annotations

from services.police_api.access import PoliceContext
from services.police_api.incidents import service as incidents
from services.police_api.retention.schemas import LegalHoldCreate, RetentionStatus
from services.police_api.retention.service import POLICE_RETENTION
from shared.retention.routes import RetentionRouteDocs, retention_router

router = retention_router(
    POLICE_RETENTION,
    context=PoliceContext,
    get_incident=incidents.get_incident,
    hold_create=LegalHoldCreate,
    status_model=RetentionStatus,
    docs=RetentionRouteDocs(
        get_retention="The incident's MoPI group, when its records fall due and what then happens, its next review, its holds.",
        place_legal_hold="Suspend the disposal of the incident's records (crime registrar or supervisor), with the reason.",
        lift_legal_hold="Lift the standing hold, with the reason; the records then follow the schedule again.",
    ),
)
