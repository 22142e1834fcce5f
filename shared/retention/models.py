"""The columns of a legal hold and of a disposal record that are the same in both services.

Each service's `LegalHold` and `Disposal` (services/<service>/retention/models.py) mix these into its own
declarative base, so the tables stay in that service's metadata and migrations; they add what differs:
the key to the service's incidents, its tenant column and the vocabularies of its schedule.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class LegalHoldColumns:
    """A hold placed on an incident's file: while it stands nothing is disposed of. Kept after it is
    lifted (who lifted it, when, why), so the file shows every hold it has had."""

    __tablename__ = "legal_holds"

    # A declared attribute, so that each service's table gets an index of its own.
    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index("ix_legal_holds_incident_lifted", "incident_id", "lifted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reason: Mapped[str] = mapped_column(EncryptedText())
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_by_role: Mapped[str] = mapped_column(String(20))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_by_role: Mapped[str | None] = mapped_column(String(20))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText())


class DisposalColumns:
    """That an incident's file was disposed of, when and under which schedule entry (no personal data).

    One per incident: the job skips a file it has disposed of already, so a second run changes nothing.
    """

    __tablename__ = "retention_disposals"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("incident_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    disposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
