"""The police incident created for every school report (P-INCIDENT), with its NCRS deadline (P-CRIME)
and its route (P-ROUTE)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Enum, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.incidents.vocabulary import IncidentClassification, PoliceIncidentStatus
from services.police_api.routing.vocabulary import Route
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class PoliceIncident(ForceScoped, Base):
    __tablename__ = "police_incidents"
    __table_args__ = (
        UniqueConstraint("force_code", "reference"),
        Index("ix_police_incidents_force_created", "force_code", "created_at", "id"),
        Index("ix_police_incidents_force_deadline", "force_code", "crime_deadline_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20))
    classification: Mapped[IncidentClassification] = mapped_column(Enum(IncidentClassification, native_enum=False, length=40))
    status: Mapped[PoliceIncidentStatus] = mapped_column(Enum(PoliceIncidentStatus, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # NCRS (P-CRIME): when the report was received and the crime-recording deadline 24 hours later.
    # Nullable only for incidents created before these columns existed.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    crime_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A decision NOT to record a crime, with its reason (P-CRIME).
    no_crime_reason: Mapped[str | None] = mapped_column(EncryptedText())
    no_crime_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    no_crime_decided_by: Mapped[str | None] = mapped_column(String(200))
    # Officers' findings calling for a full investigation (P-FULL-INVESTIGATION): FullInvestigationIndicator values.
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The route (P-ROUTE): as computed when routed, as chosen, and the written reasons.
    computed_route: Mapped[Route | None] = mapped_column(Enum(Route, native_enum=False, length=10))
    route: Mapped[Route | None] = mapped_column(Enum(Route, native_enum=False, length=10))
    route_override_reason: Mapped[str | None] = mapped_column(EncryptedText())
    no_prosecution_reason: Mapped[str | None] = mapped_column(EncryptedText())
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    routed_by: Mapped[str | None] = mapped_column(String(200))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_by: Mapped[str | None] = mapped_column(String(200))

    __mapper_args__ = {"version_id_col": version}


class ForceCounter(Base):
    """The last incident number issued per force and year (`52-2026-000123`)."""

    __tablename__ = "force_counters"

    force_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
