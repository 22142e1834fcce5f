from __future__ import annotations

from services.police_api.access import PoliceContext
from services.police_api.database import AuditEntry
from shared.audit_routes import audit_router

router = audit_router(PoliceContext, AuditEntry, "force")
