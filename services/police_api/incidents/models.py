"""The police incident created for every school report (P-INCIDENT)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from shared.db import UTCDateTime, new_id


class PoliceIncident(ForceScoped, Base):
    __tablename__ = "police_incidents"
    __table_args__ = (
        UniqueConstraint("force_code", "reference"),
        Index("ix_police_incidents_force_created", "force_code", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20))
    classification: Mapped[IncidentClassification] = mapped_column(Enum(IncidentClassification, native_enum=False, length=40))
    status: Mapped[PoliceIncidentStatus] = mapped_column(Enum(PoliceIncidentStatus, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ForceCounter(Base):
    """The last incident number issued per force and year (`52-2026-000123`)."""

    __tablename__ = "force_counters"

    force_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
