"""The SCPO route's restorative approach and educational response (P-ROUTE)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.routing.vocabulary import EducationKind
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedJSON, EncryptedText


class RestorativeMeeting(ForceScoped, Base):
    """The victim/offender meeting with the relevant parties: who attended, when, and its outcome."""

    __tablename__ = "restorative_meetings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON(), default=list)
    outcome: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EducationRecord(ForceScoped, Base):
    """A general lesson or assembly for the school, or a specific input to a victim or an offender."""

    __tablename__ = "education_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    kind: Mapped[EducationKind] = mapped_column(Enum(EducationKind, native_enum=False, length=20))
    delivered_on: Mapped[date] = mapped_column(Date)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    description: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
