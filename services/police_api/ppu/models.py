"""PPU notifications (P-PPU): one per child involved, acknowledged by the PPU, with its updates."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class PPUNotification(ForceScoped, Base):
    __tablename__ = "ppu_notifications"
    __table_args__ = (UniqueConstraint("incident_id", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PPUUpdate(ForceScoped, Base):
    """An update from the PPU or another agency on a notification (officers' notes: never shown to schools)."""

    __tablename__ = "ppu_updates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ppu_notifications.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(EncryptedText())
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
