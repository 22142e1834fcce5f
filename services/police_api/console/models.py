"""The officers' console sessions and pending sign-ins, in the police database (shared/console/sessions.py)."""
from __future__ import annotations

from services.police_api.database import Base
from shared.console.sessions import ConsoleSessionColumns, PendingSignInColumns, SessionRecords


class ConsoleSessionRecord(ConsoleSessionColumns, Base):
    pass


class PendingSignInRecord(PendingSignInColumns, Base):
    pass


RECORDS = SessionRecords(sessions=ConsoleSessionRecord, pending=PendingSignInRecord)
