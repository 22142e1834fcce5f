"""The police database: its metadata, the tenant guard (force code) and the audit table."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.audit import AuditEntryMixin
from shared.db import new_metadata
from shared.tenancy import install_tenant_guard


class Base(DeclarativeBase):
    metadata = new_metadata()


class ForceScoped:
    """A row that belongs to one force; the session filters every query by the caller's force code."""

    force_code: Mapped[str] = mapped_column(String(2), index=True)


class PoliceSession(Session):
    pass


install_tenant_guard(PoliceSession, ForceScoped, "force_code", lambda code: lambda cls: cls.force_code == code)


class AuditEntry(AuditEntryMixin, Base):
    pass
