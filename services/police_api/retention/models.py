"""Legal holds and the record of each disposal (docs/retention.md)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.rules.retention import PoliceRecordType, RetentionAction
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class LegalHold(ForceScoped, Base):
    """A hold placed on an incident's records by the crime registrar or a supervisor: while it stands
    nothing is disposed of. Kept after it is lifted, with who lifted it, when and why."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_incident_lifted", "incident_id", "lifted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_by_role: Mapped[str] = mapped_column(String(20))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_by_role: Mapped[str | None] = mapped_column(String(20))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText())


class Disposal(ForceScoped, Base):
    """That an incident's records were disposed of, when and under which schedule entry (no personal data).
    One per incident, so the job never disposes of the same records twice."""

    __tablename__ = "retention_disposals"
    __table_args__ = (UniqueConstraint("incident_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"))
    reference: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[PoliceRecordType] = mapped_column(Enum(PoliceRecordType, native_enum=False, length=40))
    due_on: Mapped[date] = mapped_column(Date)
    action: Mapped[RetentionAction] = mapped_column(Enum(RetentionAction, native_enum=False, length=20))
    disposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
