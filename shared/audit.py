"""The audit trail: an append-only, hash-chained record of every read, write and refusal.

Each row's hash covers the previous row's hash and the row's own canonical content, so an
edited or deleted row breaks the chain at that point; a signed checkpoint of the head, kept
elsewhere, makes a rewrite of the whole chain detectable. Rows hold ids only, never personal data.

Appends are serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer
anyway) and happen at the very end of the request's transaction to keep that lock short.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.clock import Clock
from shared.db import UTCDateTime
from shared.identity import ANONYMOUS, Actor
from shared.tokens import TokenIssuer, verify_signed_document

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key; any constant works, this one spells "AUDIT" in ASCII.
_AUDIT_LOCK_KEY = 0x4155444954


class AuditOutcome(StrEnum):
    allowed = "allowed"
    refused = "refused"


class AuditEntryMixin:
    """Columns of the audit table; each service declares `class AuditEntry(AuditEntryMixin, Base)`."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    tenant: Mapped[str] = mapped_column(String(20))
    operation: Mapped[str] = mapped_column(String(80))
    record_type: Mapped[str | None] = mapped_column(String(60))
    record_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    problem_type: Mapped[str | None] = mapped_column(String(80))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index("ix_audit_entries_record", "tenant", "record_type", "record_id", "seq"),)


@dataclass(frozen=True)
class AuditEvent:
    operation: str
    record_type: str | None = None
    record_id: str | None = None
    outcome: AuditOutcome = AuditOutcome.allowed
    problem_type: str | None = None


def canonical_content(row: Any) -> str:
    content = {
        "occurred_at": row.occurred_at.isoformat(),
        "request_id": row.request_id,
        "subject": row.subject,
        "role": row.role,
        "tenant": row.tenant,
        "operation": row.operation,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "outcome": row.outcome,
        "problem_type": row.problem_type,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


@dataclass
class AuditTrail:
    """Collects a request's audit events; the request scope appends them before it commits."""

    request_id: str | None
    actor: Actor = ANONYMOUS
    events: list[AuditEvent] = field(default_factory=list)

    def record(self, operation: str, record_type: str | None = None, record_id: uuid.UUID | str | None = None) -> None:
        self.events.append(AuditEvent(operation, record_type, str(record_id) if record_id else None))

    def refusal(self, operation: str, problem_type: str, record_type: str | None = None, record_id: str | None = None) -> None:
        self.events.append(
            AuditEvent(operation, record_type, record_id, outcome=AuditOutcome.refused, problem_type=problem_type)
        )


async def append_events(session: AsyncSession, model: type[Any], trail: AuditTrail, clock: Clock) -> None:
    if not trail.events:
        return
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    previous = await session.scalar(select(model.hash).order_by(model.seq.desc()).limit(1))
    previous = previous or GENESIS_HASH
    now = clock.now()
    for event in trail.events:
        row = model(
            occurred_at=now,
            request_id=trail.request_id,
            subject=trail.actor.subject[:200],
            role=trail.actor.role,
            tenant=trail.actor.tenant,
            operation=event.operation,
            record_type=event.record_type,
            record_id=event.record_id,
            outcome=event.outcome.value,
            problem_type=event.problem_type,
            prev_hash=previous,
        )
        row.hash = chain_hash(previous, canonical_content(row))
        previous = row.hash
        session.add(row)
    trail.events.clear()
    await session.flush()


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    head_seq: int | None
    head_hash: str
    first_broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None and self.problem is None


async def verify_chain(session: AsyncSession, model: type[Any], batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first row whose link or content does not hold."""
    previous = GENESIS_HASH
    checked = 0
    last_seq: int | None = None
    after = -1
    while True:
        rows = (
            await session.scalars(select(model).where(model.seq > after).order_by(model.seq).limit(batch))
        ).all()
        if not rows:
            break
        for row in rows:
            if row.prev_hash != previous:
                return ChainReport(checked, last_seq, previous, row.seq, "link to the previous row is broken")
            if chain_hash(row.prev_hash, canonical_content(row)) != row.hash:
                return ChainReport(checked, last_seq, previous, row.seq, "row content does not match its hash")
            previous = row.hash
            last_seq = row.seq
            checked += 1
        after = rows[-1].seq
        session.expunge_all()
    return ChainReport(checked, last_seq, previous)


async def signed_checkpoint(session: AsyncSession, model: type[Any], signer: TokenIssuer, service: str, clock: Clock) -> str:
    report = await verify_chain(session, model)
    if not report.intact:
        raise ValueError(f"audit chain is broken at row {report.first_broken_seq}; no checkpoint signed")
    return signer.sign_document(
        {
            "service": service,
            "head_seq": report.head_seq,
            "head_hash": report.head_hash,
            "rows": report.rows_checked,
            "signed_at": clock.now().isoformat(),
        }
    )


async def verify_against_checkpoint(session: AsyncSession, model: type[Any], signed: str, public_key_pem: str) -> str | None:
    """None when the chain still contains the checkpointed head; otherwise why not."""
    checkpoint = verify_signed_document(signed, public_key_pem)
    if checkpoint.get("head_seq") is None:
        return None
    stored = await session.scalar(select(model.hash).where(model.seq == checkpoint["head_seq"]))
    if stored != checkpoint["head_hash"]:
        return f"row {checkpoint['head_seq']} no longer carries the checkpointed hash: the chain was rewritten"
    return None



async def entries_for_record(session: AsyncSession, model: type[Any], tenant: str, record_id: str, limit: int) -> list[Any]:
    """A record's audit entries, oldest first, only within the caller's own tenant."""
    query = (
        select(model)
        .where(model.tenant == tenant, model.record_id == record_id)
        .order_by(model.seq)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
