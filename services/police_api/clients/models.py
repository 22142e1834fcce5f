"""Schools registered as clients of the police API (OAuth2 client credentials)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base
from shared.db import UTCDateTime, new_id


class SchoolClient(Base):
    """Not force-scoped: the token endpoint finds a client before anyone is authenticated."""

    __tablename__ = "school_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(80), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    school_urn: Mapped[str] = mapped_column(String(6))
    force_code: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClientAuthFailure(Base):
    """A failed client-credentials attempt, counted to slow down guessing (429 with Retry-After).

    Counted per client id *and* source address: counted per client id alone, a stranger who knew a
    school's client id could lock the school's own relay out, and hold its reports back.
    """

    __tablename__ = "client_auth_failures"
    __table_args__ = (Index("ix_client_auth_failures_client_at", "client_id", "failed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(64), server_default="")
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
