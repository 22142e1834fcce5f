"""Server-side console sessions: the cookie holds only a random id; the token stays in the process.

A session ends after `idle` without a request, at `absolute` after sign-in, when its token expires,
and on sign-out. Kept in memory: one uvicorn process per service (docs/console.md says what a
multi-process deployment would need); a restart signs everyone out, which fails safe.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.identity import Actor

COOKIE = "console_session"
MAX_SESSIONS = 10_000


@dataclass
class ConsoleSession:
    id: str
    token: str
    actor: Actor
    csrf: str
    signed_in_at: datetime
    last_seen: datetime
    token_expires_at: datetime


class SessionStore:
    def __init__(self, *, idle: timedelta, absolute: timedelta) -> None:
        self.idle = idle
        self.absolute = absolute
        self._sessions: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()

    def create(self, token: str, actor: Actor, token_expires_at: datetime, now: datetime) -> ConsoleSession:
        session = ConsoleSession(
            id=secrets.token_urlsafe(32), token=token, actor=actor, csrf=secrets.token_urlsafe(32),
            signed_in_at=now, last_seen=now, token_expires_at=token_expires_at,
        )
        with self._lock:
            self._drop_expired(now)
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
                del self._sessions[oldest.id]
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None, now: datetime) -> ConsoleSession | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def _expired(self, session: ConsoleSession, now: datetime) -> bool:
        return (
            now - session.last_seen > self.idle
            or now - session.signed_in_at > self.absolute
            or now >= session.token_expires_at
        )

    def _drop_expired(self, now: datetime) -> None:
        for session_id in [s.id for s in self._sessions.values() if self._expired(s, now)]:
            del self._sessions[session_id]
