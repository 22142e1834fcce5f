"""The school console's sessions and pending sign-ins, in the school database (shared/console/sessions.py)."""
from __future__ import annotations

from services.school_api.database import Base
from shared.console.sessions import ConsoleSessionColumns, PendingSignInColumns, SessionRecords


class ConsoleSessionRecord(ConsoleSessionColumns, Base):
    pass


class PendingSignInRecord(PendingSignInColumns, Base):
    pass


RECORDS = SessionRecords(sessions=ConsoleSessionRecord, pending=PendingSignInRecord)
