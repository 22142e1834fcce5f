"""A child's own account and wishes (S-CHILD-VOICE), attributed to the child who gave them."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.child_accounts.vocabulary import AccountGiven
from services.school_api.database import Base, SchoolScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class ChildAccount(SchoolScoped, Base):
    __tablename__ = "child_accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    given: Mapped[AccountGiven] = mapped_column(Enum(AccountGiven, native_enum=False, length=30))
    account: Mapped[str | None] = mapped_column(EncryptedText())
    wishes: Mapped[str | None] = mapped_column(EncryptedText())
    heard_by: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
