"""Every earlier text of an incident's editable free-text fields (issue 14: an edit keeps its history)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.narratives.vocabulary import NarrativeField
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class NarrativeVersion(SchoolScoped, Base):
    """The text a field held before an edit replaced it, who replaced it and when. Append-only."""

    __tablename__ = "narrative_versions"
    __table_args__ = (Index("ix_narrative_versions_incident_replaced", "incident_id", "replaced_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    field: Mapped[NarrativeField] = mapped_column(Enum(NarrativeField, native_enum=False, length=30))
    previous_text: Mapped[str | None] = mapped_column(EncryptedText())
    # The incident's version the previous text belonged to.
    incident_version: Mapped[int] = mapped_column(Integer)
    # Who wrote the previous text is the author of the version before (or the incident's creator).
    replaced_by: Mapped[str] = mapped_column(String(200))
    replaced_by_role: Mapped[str] = mapped_column(String(20))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime())
