"""Console sessions kept in the service's own database, so that any process of the service can answer any
request of a signed-in person (issue 15 runs several workers and replicas).

The cookie holds only a random id (256 bits); the row is found by the SHA-256 of that id, so a copy of the
database names no live cookie. The access token and the CSRF secret are sealed with the service's data key
(`shared.encryption.EncryptedText`, bound to their row). A session ends after `idle` without a request, at
`absolute` after sign-in, when its token expires, and at sign-out, which deletes the row: every process
refuses it from then on. Expired rows are deleted as they are met and, opportunistically, at each sign-in
(one indexed DELETE), so the table holds the live sessions and those that ended since the last sign-in.

The pending OpenID Connect sign-in (state, nonce, PKCE verifier) is kept the same way, against its own
short-lived cookie, and taken once: the process that answers the callback need not be the one that sent
the person to the identity provider.

Each service declares the two tables on its own metadata from the mixins below (its own database, its own
data key): `services/<service>/…/models.py`.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.console.oidc import PendingSignIn
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedJSON, EncryptedText
from shared.identity import Actor

COOKIE = "console_session"
PENDING_LIFETIME = timedelta(minutes=10)


def cookie_hash(cookie_id: str) -> str:
    """What the database keeps of a cookie's id: enough to find the row, nothing to present as the cookie."""
    return hashlib.sha256(cookie_id.encode()).hexdigest()


class ConsoleSessionColumns:
    """A signed-in person's console session (one row per sign-in)."""

    __tablename__ = "console_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The earlier of the absolute limit and the token's own expiry.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    # Declared per class: an encrypted column type belongs to one table of one service's metadata.
    @declared_attr
    def token(cls) -> Mapped[str]:
        return mapped_column(EncryptedText())

    @declared_attr
    def csrf_secret(cls) -> Mapped[str]:
        return mapped_column(EncryptedText())


class PendingSignInColumns:
    """An OpenID Connect sign-in sent to the identity provider and not yet back."""

    __tablename__ = "console_pending_sign_ins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    @declared_attr
    def sign_in_secrets(cls) -> Mapped[dict[str, str]]:
        return mapped_column(EncryptedJSON())


@dataclass(frozen=True)
class SessionRecords:
    """The service's two mapped classes (ConsoleSessionColumns and PendingSignInColumns on its own Base)."""

    sessions: Any
    pending: Any


@dataclass
class ConsoleSession:
    token: str
    actor: Actor
    csrf: str


@dataclass(frozen=True)
class StoredSession:
    token: str
    csrf: str


class SessionStore:
    def __init__(self, records: SessionRecords, *, idle: timedelta, absolute: timedelta) -> None:
        self.records = records
        self.idle = idle
        self.absolute = absolute

    async def create(
        self, sessionmaker: async_sessionmaker[AsyncSession], token: str, token_expires_at: datetime, now: datetime
    ) -> tuple[str, StoredSession]:
        """A new session; returns the cookie's id (never stored) and what the row holds."""
        model = self.records.sessions
        cookie_id = secrets.token_urlsafe(32)
        stored = StoredSession(token=token, csrf=secrets.token_urlsafe(32))
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(model).where(self._ended(now)))
            session.add(model(
                key_hash=cookie_hash(cookie_id), token=stored.token, csrf_secret=stored.csrf,
                signed_in_at=now, last_seen_at=now, expires_at=min(now + self.absolute, token_expires_at),
            ))
        return cookie_id, stored

    async def get(self, sessionmaker: async_sessionmaker[AsyncSession], cookie_id: str | None, now: datetime) -> StoredSession | None:
        """The live session of this cookie, its idle clock restarted; None (and the row gone) once it has ended."""
        if not cookie_id:
            return None
        model = self.records.sessions
        key = cookie_hash(cookie_id)
        async with sessionmaker() as session, session.begin():
            row = (await session.execute(select(model).where(model.key_hash == key))).scalar_one_or_none()
            if row is None:
                return None
            if now - row.last_seen_at > self.idle or now >= row.expires_at:
                await session.execute(delete(model).where(model.id == row.id))
                return None
            await session.execute(update(model).where(model.id == row.id).values(last_seen_at=now))
            return StoredSession(token=row.token, csrf=row.csrf_secret)

    async def end(self, sessionmaker: async_sessionmaker[AsyncSession], cookie_id: str | None) -> None:
        if not cookie_id:
            return
        model = self.records.sessions
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(model).where(model.key_hash == cookie_hash(cookie_id)))

    def _ended(self, now: datetime) -> Any:
        model = self.records.sessions
        return or_(model.expires_at <= now, model.last_seen_at < now - self.idle)

    # --- the pending OpenID Connect sign-in --------------------------------------------------------

    async def remember_pending(
        self, sessionmaker: async_sessionmaker[AsyncSession], pending: PendingSignIn, now: datetime
    ) -> str:
        """Keep a sign-in sent to the provider; returns the id for its cookie."""
        model = self.records.pending
        cookie_id = secrets.token_urlsafe(32)
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(model).where(model.created_at <= now - PENDING_LIFETIME))
            session.add(model(
                key_hash=cookie_hash(cookie_id), created_at=now,
                sign_in_secrets={"state": pending.state, "nonce": pending.nonce, "verifier": pending.verifier},
            ))
        return cookie_id

    async def take_pending(
        self, sessionmaker: async_sessionmaker[AsyncSession], cookie_id: str | None, now: datetime
    ) -> PendingSignIn | None:
        """The pending sign-in of this cookie, once: the row is deleted, and only the one DELETE that removed
        it gets it (two callbacks racing with one cookie in two processes sign in at most once)."""
        if not cookie_id:
            return None
        model = self.records.pending
        key = cookie_hash(cookie_id)
        async with sessionmaker() as session, session.begin():
            row = (await session.execute(select(model).where(model.key_hash == key))).scalar_one_or_none()
            if row is None:
                return None
            removed = await session.execute(delete(model).where(model.id == row.id))
            if removed.rowcount != 1 or now - row.created_at > PENDING_LIFETIME:
                return None
            kept = row.sign_in_secrets
            return PendingSignIn(kept["state"], kept["nonce"], kept["verifier"])
