"""The police referral and its transactional outbox message.

The referral is the DSL's record of what was sent and what became of it; the outbox message is
the relay's work item. Both are written in the decision's transaction, so a referral can never
exist without its message, nor a message without its referral.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.referrals.vocabulary import DeliveryState, OutboxState, PoliceChannel
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedJSON


class PoliceReferral(SchoolScoped, Base):
    __tablename__ = "police_referrals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    channel: Mapped[PoliceChannel] = mapped_column(Enum(PoliceChannel, native_enum=False, length=10))
    delivery_state: Mapped[DeliveryState] = mapped_column(Enum(DeliveryState, native_enum=False, length=20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    police_report_id: Mapped[uuid.UUID | None] = mapped_column()
    police_reference: Mapped[str | None] = mapped_column(String(40))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last status document the police returned for this report (P-… fields, no officer notes).
    police_status: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    police_status_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    police_case_closed: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A report waiting to be carried to the police. Not tenant-scoped: only the relay reads it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "available_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_referrals.id"), unique=True)
    school_urn: Mapped[str] = mapped_column(String(6))
    # Fixed for the life of the message, so that every retry is the same request to the police.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    # The W3C traceparent of the decision that queued it, so its sends join the decision's trace (shared/tracing.py).
    traceparent: Mapped[str | None] = mapped_column(String(55))
    state: Mapped[OutboxState] = mapped_column(Enum(OutboxState, native_enum=False, length=20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PoliceFeedPosition(SchoolScoped, Base):
    """How far this school's status feed at the police has been applied (services/police_api/feed/).

    Written in the same transaction as the statuses it applied: a follower killed half-way resumes from
    the last page it applied whole, so a change is applied late at worst, never lost."""

    __tablename__ = "police_feed_positions"
    __table_args__ = (UniqueConstraint("school_urn"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
