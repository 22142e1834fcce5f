"""People involved in an incident, each with one or more roles and a kind (issue 3)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.people.vocabulary import PersonKind, Sex
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedDate, EncryptedText


class Person(SchoolScoped, Base):
    __tablename__ = "people"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(Enum(PersonKind, native_enum=False, length=20))
    roles: Mapped[list[str]] = mapped_column(JSON)
    given_name: Mapped[str | None] = mapped_column(EncryptedText())
    family_name: Mapped[str | None] = mapped_column(EncryptedText())
    upn: Mapped[str | None] = mapped_column(EncryptedText())
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate())
    age_years: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[Sex] = mapped_column(Enum(Sex, native_enum=False, length=20))
    year_group: Mapped[int | None] = mapped_column(Integer)
    other_school_urn: Mapped[str | None] = mapped_column(String(6))
    vulnerabilities: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
