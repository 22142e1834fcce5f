"""A school's report as received (P-101), and the idempotency record that makes intake exactly-once."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.reports.schemas import ReportChannel, TriagePriority
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedJSON, EncryptedText


class SchoolReport(ForceScoped, Base):
    __tablename__ = "school_reports"
    __table_args__ = (Index("ix_school_reports_force_received", "force_code", "received_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(80))
    school_urn: Mapped[str] = mapped_column(String(6), index=True)
    school_incident_id: Mapped[uuid.UUID] = mapped_column()
    school_incident_reference: Mapped[str] = mapped_column(String(40))
    channel: Mapped[ReportChannel] = mapped_column(Enum(ReportChannel, native_enum=False, length=10))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The report as received: the third-party report of HOCR (P-CRIME), kept as evidence of what was said.
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    police_incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The call handler's triage (officers only; never shown to the school).
    triage_priority: Mapped[TriagePriority | None] = mapped_column(Enum(TriagePriority, native_enum=False, length=10))
    triage_note: Mapped[str | None] = mapped_column(EncryptedText())
    triaged_by: Mapped[str | None] = mapped_column(String(200))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class IdempotencyRecord(Base):
    """One per (client, Idempotency-Key): the first response, replayed for every repeat.

    Not force-scoped: it is keyed by the calling client, and read before any record is touched.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("client_id", "key"),
        Index("ix_idempotency_records_expires", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
