"""GET /incidents/{id}/retention and the legal hold on a school's file (docs/retention.md).

The handlers are shared/retention/routes.py; here is what is the school's: its context, how it reaches an
incident (staff only their own), its wire shapes and the words of its document.
"""
from __future__ import annotations

from services.school_api.access import SchoolContext
from services.school_api.incidents import service as incidents
from services.school_api.retention.schemas import LegalHoldCreate, RetentionStatus
from services.school_api.retention.service import SCHOOL_RETENTION
from shared.retention.routes import RetentionRouteDocs, retention_router

router = retention_router(
    SCHOOL_RETENTION,
    context=SchoolContext,
    get_incident=incidents.get_incident,
    hold_create=LegalHoldCreate,
    status_model=RetentionStatus,
    docs=RetentionRouteDocs(
        get_retention="The file's retention date and action under the schedule, its legal holds, and its disposal if done.",
        place_legal_hold="Suspend the file's disposal (DSL or headteacher), with the reason. One hold at a time.",
        lift_legal_hold="Lift the standing hold, with the reason; the file then follows the schedule again.",
    ),
)
