"""An incident of youth-produced sexual imagery as the school records it (APPX8 step 1, S-RECORD)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.incidents.vocabulary import DisclosureSource, ImageNature, IncidentStatus
from shared.db import UTCDateTime, new_id


class Incident(SchoolScoped, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("school_urn", "reference"),
        Index("ix_incidents_school_created", "school_urn", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20))
    status: Mapped[IncidentStatus] = mapped_column(Enum(IncidentStatus, native_enum=False, length=30))
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disclosure_source: Mapped[DisclosureSource] = mapped_column(Enum(DisclosureSource, native_enum=False, length=30))
    image_nature: Mapped[ImageNature] = mapped_column(Enum(ImageNature, native_enum=False, length=30))
    narrative: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class IncidentCounter(Base):
    """The last reference number issued per school and year (`100001-2026-0007`)."""

    __tablename__ = "incident_counters"

    school_urn: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
