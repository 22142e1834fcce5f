"""The record that the DSL viewed an image (S-IMAGE): the fact and its reasons, never the image."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class ImageViewing(SchoolScoped, Base):
    __tablename__ = "image_viewings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    authorisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authorisations.id"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    distress_judgement: Mapped[str] = mapped_column(EncryptedText())
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    viewed_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
