"""The school database: its metadata, the tenant guard (school URN) and the audit table."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.audit import AuditEntryMixin
from shared.db import new_metadata
from shared.tenancy import install_tenant_guard


class Base(DeclarativeBase):
    metadata = new_metadata()


class SchoolScoped:
    """A row that belongs to one school; the session filters every query by the caller's URN."""

    school_urn: Mapped[str] = mapped_column(String(6), index=True)


class SchoolSession(Session):
    pass


install_tenant_guard(SchoolSession, SchoolScoped, "school_urn", lambda urn: lambda cls: cls.school_urn == urn)


class AuditEntry(AuditEntryMixin, Base):
    pass
