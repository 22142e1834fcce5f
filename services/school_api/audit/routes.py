from __future__ import annotations

from services.school_api.access import SchoolContext
from services.school_api.database import AuditEntry
from shared.audit_routes import audit_router

router = audit_router(SchoolContext, AuditEntry, "school")
