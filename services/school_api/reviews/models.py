"""The review of outcomes and procedures (S-REVIEW, APPX8 step 8)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class Review(SchoolScoped, Base):
    __tablename__ = "reviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    outcome: Mapped[str] = mapped_column(EncryptedText())
    what_worked: Mapped[str | None] = mapped_column(EncryptedText())
    procedure_changes: Mapped[str | None] = mapped_column(EncryptedText())
    reviewed_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
