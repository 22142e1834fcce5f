from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.referrals.vocabulary import PoliceChannel
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class Decision(SchoolScoped, Base):
    __tablename__ = "decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(Enum(DecisionOutcome, native_enum=False, length=30))
    police_channel: Mapped[PoliceChannel | None] = mapped_column(Enum(PoliceChannel, native_enum=False, length=10))
    reasons: Mapped[str | None] = mapped_column(EncryptedText())
    # S-PARENTS: informed early unless that would put the young person at risk; the reason is recorded.
    inform_parents: Mapped[bool] = mapped_column(default=True, server_default=true())
    parents_not_informed_reason: Mapped[str | None] = mapped_column(EncryptedText())
    safeguards: Mapped[str | None] = mapped_column(EncryptedText())
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("risk_assessments.id"))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
