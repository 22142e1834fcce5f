"""Exactly-once intake: the Idempotency-Key contract of POST /reports.

- No key: 400. The key is scoped to the calling school client and kept at least 30 days.
- First use: the key is claimed in its own short transaction (state `processing`, with a lock
  that expires so a crashed request does not hold it for ever); the intake then commits the
  report and the stored response together, so a report never exists without its key's answer.
- Repeat, same body: the stored first response, same status and same body; nothing is created.
- Same key, different body: 422. Repeat while the first is still processing: 409.
- The intake fails: once its transaction has rolled back, the claim is released for a retry.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ColumnElement, Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.reports.models import IdempotencyRecord
from shared.context import Runtime
from shared.problems import Problem
from shared.tenancy import ALL_TENANTS

PROCESSING = "processing"
COMPLETED = "completed"
KEY_MAX_LENGTH = 255


class IdempotencyKeyRequired(Problem):
    slug, status, title = "idempotency-key-required", 400, "Idempotency-Key header required"
    description = "Report intake needs an Idempotency-Key header, fixed for every retry of the same report."


class IdempotencyKeyReused(Problem):
    slug, status, title = "idempotency-key-reused", 422, "Idempotency-Key already used for a different report"
    description = "The same key was sent before with a different body; use a new key for a new report."


class IdempotencyKeyInProgress(Problem):
    slug, status, title = "idempotency-key-in-progress", 409, "The first request with this key is still being processed"
    description = "Retry after the Retry-After interval; the first request's answer will then be replayed."


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    record_id: uuid.UUID | None
    replay: StoredResponse | None = None


def checked_key(header: str | None) -> str:
    if header is None or not header.strip():
        raise IdempotencyKeyRequired("Send an Idempotency-Key header with every report.")
    key = header.strip()
    if len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise IdempotencyKeyRequired("The Idempotency-Key must be printable and at most 255 characters.")
    return key


def request_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(
    runtime: Runtime, *, client_id: str, key: str, fingerprint: str, now: datetime, lock_seconds: int, retention_days: int
) -> Claim:
    locked_until = now + timedelta(seconds=lock_seconds)
    async with runtime.session(ALL_TENANTS) as session:
        record_id = uuid.uuid4()
        values = dict(
            id=record_id, client_id=client_id, key=key, request_hash=fingerprint, state=PROCESSING,
            locked_until=locked_until, response_status=None, response_body=None, created_at=now,
            expires_at=now + timedelta(days=retention_days),
        )
        try:
            # A Core INSERT on the session's connection (every intake claims, and the ORM's unit of work cost
            # more than the statement). On PostgreSQL the one statement is its own transaction, sent without
            # BEGIN and COMMIT: one round trip where there were three, committed before the intake begins.
            connection = await session.connection(execution_options=_ITS_OWN_TRANSACTION if _on_postgresql(session) else None)
            await connection.execute(_CLAIM, values)
            await session.commit()
            return Claim(record_id)
        except IntegrityError:
            await session.rollback()
        return await _existing(session, client_id, key, fingerprint, now, locked_until, retention_days)


_ITS_OWN_TRANSACTION = {"isolation_level": "AUTOCOMMIT"}
_CLAIM = insert(IdempotencyRecord.__table__)
_COMPLETE = (
    update(IdempotencyRecord.__table__)
    .where(IdempotencyRecord.__table__.c.id == bindparam("record_id"))
    .values(state=COMPLETED, response_status=bindparam("status"), response_body=bindparam("body"), locked_until=None)
)


def _on_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def _existing(
    session: AsyncSession, client_id: str, key: str, fingerprint: str, now: datetime, locked_until: datetime, retention_days: int
) -> Claim:
    record = await session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.client_id == client_id, IdempotencyRecord.key == key)
    )
    if record is None:  # released between our insert and this read: the caller's retry will claim it
        raise IdempotencyKeyInProgress(headers={"Retry-After": "1"})
    if record.expires_at <= now:
        # Past its retention: the key is free again, as if never used.
        record.request_hash, record.state, record.locked_until = fingerprint, PROCESSING, locked_until
        record.response_status = record.response_body = None
        record.created_at, record.expires_at = now, now + timedelta(days=retention_days)
        await session.commit()
        return Claim(record.id)
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different report.")
    if record.state == COMPLETED and record.response_status is not None and record.response_body is not None:
        return Claim(None, StoredResponse(record.response_status, record.response_body))
    if record.locked_until is not None and record.locked_until > now:
        wait = max(1, int((record.locked_until - now).total_seconds()))
        raise IdempotencyKeyInProgress(headers={"Retry-After": str(min(wait, 5))})
    # The first request's lock expired without an answer (its process died): take it over, once.
    taken = await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id, IdempotencyRecord.locked_until == record.locked_until)
        .values(locked_until=locked_until)
    )
    await session.commit()
    if taken.rowcount != 1:
        raise IdempotencyKeyInProgress(headers={"Retry-After": "1"})
    return Claim(record.id)


def completion_around(made: ColumnElement[str]) -> Any:
    """PostgreSQL, for a WITH clause of the statement that makes `made`: the completion of an answer that
    holds that one string (intake's police reference, numbered by the statement that writes the incident).
    The answer's JSON text is stored as `complete` stores it, around the string as JSON; parameters from
    `completion_parameters`."""
    table = IdempotencyRecord.__table__
    around = bindparam("answer_before", type_=Text) + cast(func.to_json(made), Text) + bindparam("answer_after", type_=Text)
    return (
        update(table)
        .where(table.c.id == bindparam("answer_record_id"))
        .values(state=COMPLETED, response_status=bindparam("answer_status"), response_body=cast(around, JSON), locked_until=None)
    )


def completion_parameters(record_id: uuid.UUID, status: int, body: dict[str, Any], *, made_by_the_statement: str) -> dict[str, Any]:
    """`body` holds the string `made_by_the_statement` once, where the statement's own string goes."""
    stored = json.dumps(body)  # as the JSON column stores a document
    before, found, after = stored.partition(json.dumps(made_by_the_statement))
    if not found or json.dumps(made_by_the_statement) in after:
        raise ValueError("the answer must hold the statement's string exactly once")
    return {"answer_record_id": record_id, "answer_status": status, "answer_before": before, "answer_after": after}


async def complete(session: AsyncSession, record_id: uuid.UUID, status: int, body: dict[str, Any]) -> None:
    """Store the answer in the intake's own transaction: the report and its answer commit together. Core on
    the session's connection: the ORM's bulk-update path (and its session synchronisation, for a record this
    session never loaded) cost more than the statement."""
    connection = await session.connection()
    await connection.execute(_COMPLETE, {"record_id": record_id, "status": status, "body": body})


async def release(runtime: Runtime, record_id: uuid.UUID) -> None:
    async with runtime.session(ALL_TENANTS) as session:
        await session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id, IdempotencyRecord.state == PROCESSING)
        )
        await session.commit()


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
    return result.rowcount or 0
