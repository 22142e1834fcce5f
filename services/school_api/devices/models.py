"""Devices and their chain of custody (APPX8 step 3, S-IMAGE)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class Device(SchoolScoped, Base):
    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    ownership: Mapped[DeviceOwner] = mapped_column(Enum(DeviceOwner, native_enum=False, length=20))
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    description: Mapped[str | None] = mapped_column(EncryptedText())
    # The latest custody step and where the device is now; the full chain is in device_custody_events.
    custody_state: Mapped[CustodyEventKind | None] = mapped_column(Enum(CustodyEventKind, native_enum=False, length=30))
    secured_location: Mapped[str | None] = mapped_column(EncryptedText())
    held_by_school: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CustodyEvent(SchoolScoped, Base):
    __tablename__ = "device_custody_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    kind: Mapped[CustodyEventKind] = mapped_column(Enum(CustodyEventKind, native_enum=False, length=30))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who did it (a member of staff) and, for a hand-over, to whom (an officer, with collar number).
    by_whom: Mapped[str] = mapped_column(EncryptedText())
    to_whom: Mapped[str | None] = mapped_column(EncryptedText())
    location: Mapped[str | None] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
