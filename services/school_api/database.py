"""The school database: its metadata, the tenant guard (school URN) and the audit table."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.audit import AuditEntryMixin
from shared.db import new_metadata
from shared.problems import PreconditionFailed
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


async def flush_versioned(session: AsyncSession) -> None:
    """Flush an edit of a versioned row. If another request changed the row between our If-Match check and
    this write, SQLAlchemy's version-id check fails: that is a stale edit (412), not a server error."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed("The record changed while this request was being made; read it again and retry.") from exc
