"""A device search (S-SEARCH, S-CHILD-FIRST)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class DeviceSearch(SchoolScoped, Base):
    __tablename__ = "device_searches"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    pupil_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    authorisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authorisations.id"))
    searched_by: Mapped[str] = mapped_column(EncryptedText())
    safeguarding_member_present: Mapped[str] = mapped_column(EncryptedText())
    searcher_same_sex_as_pupil: Mapped[bool] = mapped_column()
    in_line_with_school_policy: Mapped[bool] = mapped_column()
    would_add_distress: Mapped[bool] = mapped_column()
    distress_judgement: Mapped[str] = mapped_column(EncryptedText())
    findings: Mapped[str | None] = mapped_column(EncryptedText())
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
