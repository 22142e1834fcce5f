"""Risk assessments (S-IMMEDIATE, S-FACTORS, S-TYPOLOGY). Append-only: a later concern is a new assessment."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.assessments.vocabulary import Recommendation, Typology
from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class RiskAssessment(SchoolScoped, Base):
    __tablename__ = "risk_assessments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    immediate_answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    factor_answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    immediate_criteria_met: Mapped[list[str]] = mapped_column(JSON)
    factors_present: Mapped[list[str]] = mapped_column(JSON)
    typology: Mapped[Typology] = mapped_column(Enum(Typology, native_enum=False, length=40))
    recommendation: Mapped[Recommendation] = mapped_column(Enum(Recommendation, native_enum=False, length=40))
    rule_ids: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    assessed_by: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
