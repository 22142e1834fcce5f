"""The headteacher's agreement to a device search (S-SEARCH) or to the DSL viewing an image (S-IMAGE)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class Authorisation(SchoolScoped, Base):
    __tablename__ = "authorisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[AuthorisationKind] = mapped_column(Enum(AuthorisationKind, native_enum=False, length=20))
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    # For a search: the person the head authorises to search (None: the head searches).
    authorised_person: Mapped[str | None] = mapped_column(EncryptedText())
    reason: Mapped[str] = mapped_column(EncryptedText())
    authorised_by: Mapped[str] = mapped_column(String(200))
    authorised_at: Mapped[datetime] = mapped_column(UTCDateTime())
