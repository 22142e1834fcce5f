"""Crimes under NCRS (P-CRIME, P-OFFENCES), their outcomes (P-OUTCOME21/22) and the victim contact."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.crimes.vocabulary import ContactedParty, CrimeStatus
from services.police_api.database import Base, ForceScoped
from shared.db import UTCDateTime, new_id
from shared.encryption import EncryptedText


class OffenceCodeRef(Base):
    """The offence reference table: Home Office codes, national (not force-scoped). Starts with 86/2 and 86/10."""

    __tablename__ = "offence_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    statute: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Crime(ForceScoped, Base):
    """One crime per victim (P-CRIME), with its offence code and its outcome."""

    __tablename__ = "crimes"
    __table_args__ = (
        UniqueConstraint("incident_id", "victim_person_id"),
        Index("ix_crimes_force_recorded", "force_code", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"), index=True)
    victim_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    offence_code: Mapped[str] = mapped_column(ForeignKey("offence_codes.code"))
    status: Mapped[CrimeStatus] = mapped_column(Enum(CrimeStatus, native_enum=False, length=20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    proposed_outcome: Mapped[int | None] = mapped_column(Integer)
    proposed_rationale: Mapped[str | None] = mapped_column(EncryptedText())
    proposed_by: Mapped[str | None] = mapped_column(String(200))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_code: Mapped[int | None] = mapped_column(Integer)
    public_interest_rationale: Mapped[str | None] = mapped_column(EncryptedText())
    finalised_by: Mapped[str | None] = mapped_column(String(200))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CrimeSubject(ForceScoped, Base):
    """A suspect or person involved on a crime (linked to the incident as an offender)."""

    __tablename__ = "crime_subjects"
    __table_args__ = (UniqueConstraint("crime_id", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    crime_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crimes.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)


class CrimeCorrection(ForceScoped, Base):
    """The registrar's correction of a crime's recording, with the reason (who, when, before, after)."""

    __tablename__ = "crime_corrections"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    crime_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crimes.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(String(100))
    new_value: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(EncryptedText())
    corrected_by: Mapped[str] = mapped_column(String(200))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VictimContact(ForceScoped, Base):
    """The victim, or for a child a parent or guardian, told of the outcome (P-OUTCOME21)."""

    __tablename__ = "victim_contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    crime_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("crimes.id"), index=True)
    contacted: Mapped[ContactedParty] = mapped_column(Enum(ContactedParty, native_enum=False, length=20))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    method: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
