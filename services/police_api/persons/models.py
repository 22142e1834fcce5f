"""The nominal index (one per force) and each person's links to incidents (P-CRIME)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.persons.vocabulary import LinkRole, PersonAge
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedDate, EncryptedText


class Person(ForceScoped, Base):
    """A person as the force knows them, found again by UPN, or by normalised name and date of birth.

    Names, date of birth and UPN are encrypted; the lookups go through keyed hashes of them (persons.service).
    """

    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_force_name_dob", "force_code", "name_dob_key"),
        Index("ix_persons_force_upn", "force_code", "upn_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    given_name: Mapped[str | None] = mapped_column(EncryptedText())
    family_name: Mapped[str | None] = mapped_column(EncryptedText())
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate())
    upn: Mapped[str | None] = mapped_column(EncryptedText())
    # HMAC-SHA256 (hex) of the normalised name with the date of birth, and of the UPN: None while either is unknown.
    name_dob_key: Mapped[str | None] = mapped_column(String(64))
    upn_key: Mapped[str | None] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(10))
    age_status: Mapped[PersonAge] = mapped_column(Enum(PersonAge, native_enum=False, length=10))
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PersonLink(ForceScoped, Base):
    __tablename__ = "person_links"
    __table_args__ = (UniqueConstraint("incident_id", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[LinkRole] = mapped_column(Enum(LinkRole, native_enum=False, length=20))
    # What the school reported (ReportedPersonRole values) and the person's age at the incident.
    reported_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_status: Mapped[PersonAge] = mapped_column(Enum(PersonAge, native_enum=False, length=10))
    school_person_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PersonMerge(ForceScoped, Base):
    """Two records found to be one person: who merged them, when, and why."""

    __tablename__ = "person_merges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kept_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    merged_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_by: Mapped[str] = mapped_column(String(200))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime())
