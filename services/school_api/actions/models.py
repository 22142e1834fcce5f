"""The action log (S-RECORD): every action taken and every action not taken, with its justification."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.actions.vocabulary import ActionKind
from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class ActionEntry(SchoolScoped, Base):
    __tablename__ = "action_entries"
    __table_args__ = (Index("ix_action_entries_incident_recorded", "incident_id", "recorded_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[ActionKind] = mapped_column(Enum(ActionKind, native_enum=False, length=40))
    taken: Mapped[bool] = mapped_column()
    justification: Mapped[str | None] = mapped_column(EncryptedText())
    performed_by: Mapped[str] = mapped_column(EncryptedText())
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
