"""An incident of youth-produced sexual imagery as the school records it (APPX8 step 1, S-RECORD)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.incidents.vocabulary import (
    DeviceOwnership,
    DevicePossession,
    DisclosureSource,
    ImageNature,
    IncidentStatus,
    SharingExtent,
)
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class Incident(SchoolScoped, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("school_urn", "reference"),
        Index("ix_incidents_school_created", "school_urn", "created_at", "id"),
        # Lists filtered by status stay a range scan per school.
        Index("ix_incidents_school_status_created", "school_urn", "status", "created_at", "id"),
        Index("ix_incidents_school_disclosed", "school_urn", "disclosed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20))
    status: Mapped[IncidentStatus] = mapped_column(Enum(IncidentStatus, native_enum=False, length=30))
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disclosure_source: Mapped[DisclosureSource] = mapped_column(Enum(DisclosureSource, native_enum=False, length=30))
    image_nature: Mapped[ImageNature] = mapped_column(Enum(ImageNature, native_enum=False, length=30))
    narrative: Mapped[str | None] = mapped_column(EncryptedText())
    # APPX8 step 1 questions, as structured answers (None: not yet known).
    image_involvement: Mapped[list[str] | None] = mapped_column(JSON)
    sharing_extent: Mapped[SharingExtent | None] = mapped_column(Enum(SharingExtent, native_enum=False, length=20))
    device_possession: Mapped[DevicePossession | None] = mapped_column(Enum(DevicePossession, native_enum=False, length=20))
    device_ownership: Mapped[DeviceOwnership | None] = mapped_column(Enum(DeviceOwnership, native_enum=False, length=20))
    dsl_consulted: Mapped[bool | None] = mapped_column(Boolean)
    immediate_support_needed: Mapped[bool | None] = mapped_column(Boolean)
    other_pupils_involved: Mapped[bool | None] = mapped_column(Boolean)
    where_image_ended_up: Mapped[str | None] = mapped_column(EncryptedText())
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(200))
    # S-RECORD: details, action and resolution are recorded even where the school manages it alone.
    resolution: Mapped[str | None] = mapped_column(EncryptedText())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Observation(SchoolScoped, Base):
    """What a member of staff saw or heard, added to an incident (append-only; staff cannot read it back)."""

    __tablename__ = "incident_observations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_role: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentCounter(Base):
    """The last reference number issued per school and year (`100001-2026-0007`)."""

    __tablename__ = "incident_counters"

    school_urn: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
