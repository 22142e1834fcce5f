"""The DSL's initial review meeting (S-INITIAL-REVIEW): who attended and what was decided."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedJSON, EncryptedText


class InitialReview(SchoolScoped, Base):
    __tablename__ = "initial_reviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # [{"name": …, "role": AttendeeRole}], in the order given.
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON())
    decided: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
