"""The audit trail: an append-only, hash-chained record of every read, write and refusal.

Each row's hash covers the previous row's hash and the row's own canonical content, so an
edited or deleted row breaks the chain at that point; a signed checkpoint of the heads, kept
elsewhere, makes a rewrite of the whole chain detectable. Rows hold ids only, never personal data.

There is one chain per tenant (a school's URN, a force's code; "" for callers with none), not one
for the whole service: appending must be serialised, and a single national chain would make every
school in the country wait on one lock (the benchmark measured 12 of 14 sessions waiting on it).
A tenant's appends are serialised by a transaction-scoped advisory lock on its own key (PostgreSQL;
SQLite has one writer anyway), taken at the very end of the request's transaction to keep it short:
after the request's last write (opening an incident appends with that write itself, see
`shared.counters.insert_numbered`).

On PostgreSQL the lock, the read of the chain's head and the insert are one call of the database
function `audit_append` (AUDIT_APPEND_FUNCTION_V2 below): one round trip instead of three, on every
request of both services, and the lock is held for one statement and the commit. Python still
writes each row's canonical content; the function only chains the hashes over it, with the same
formula as `chain_hash`, so `verify_chain` checks rows from either path alike.

A page of a list is one row, not a row per record shown: `record_ids` names every record the page showed,
in order, and `record_types` the type of each (a report and its incident, a device and its custody
steps). `record_type` and `record_id` then name the record the list hangs from (the incident whose
actions were listed), or for a list of the whole tenant just the type listed. A page that showed
nothing is still a row, with no ids: the search itself was a read. The two columns are in a row's
canonical content only when set, so rows written before them keep their hashes.
"""
from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON, BigInteger, ColumnElement, Index, Integer, String, Text, bindparam, cast, exists, func, insert, literal, or_, select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.clock import Clock
from shared.db import UTCDateTime
from shared.identity import ANONYMOUS, Actor
from shared.pagination import decode_position, encode_position
from shared.problems import MalformedRequest
from shared.tokens import TokenIssuer, verify_signed_document

GENESIS_HASH = "0" * 64

RecordId = uuid.UUID | str
# A list's record ids: JSONB on PostgreSQL, where a GIN index finds the rows that name one id.
RECORD_LIST = JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


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
    # A list page only: every record shown, in order, and the type of each (None on any other row).
    record_ids: Mapped[list[str] | None] = mapped_column(RECORD_LIST)
    record_types: Mapped[list[str] | None] = mapped_column(RECORD_LIST)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            Index("ix_audit_entries_record", "tenant", "record_type", "record_id", "seq"),
            # The head of a tenant's chain: the last row of that tenant.
            Index("ix_audit_entries_tenant_seq", "tenant", "seq"),
            # Who was shown a record in a list: the rows whose `record_ids` hold its id (PostgreSQL).
            Index(
                "ix_audit_entries_record_ids", "record_ids", postgresql_using="gin", postgresql_ops={"record_ids": "jsonb_path_ops"}
            ).ddl_if(dialect="postgresql"),
        )


@dataclass(frozen=True)
class AuditEvent:
    operation: str
    record_type: str | None = None
    record_id: str | None = None
    outcome: AuditOutcome = AuditOutcome.allowed
    problem_type: str | None = None
    # A list page: (record type, id) of every record it showed, in order; None for any other event.
    shown: tuple[tuple[str, str], ...] | None = None


_CONTENT_FIELDS = (
    "occurred_at", "request_id", "subject", "role", "tenant", "operation", "record_type", "record_id", "outcome", "problem_type",
)
# In the canonical content only when not None: a row without them hashes as it did before they existed.
_LIST_FIELDS = ("record_ids", "record_types")


# The per-row arguments of `audit_append`, after its six per-request ones.
_ARRAY_ARGUMENTS = ("operations", "record_types", "record_ids", "outcomes", "problem_types", "listed_ids", "listed_types", "contents")


def canonical_content(row: Any) -> str:
    return _canonical({name: getattr(row, name) for name in (*_CONTENT_FIELDS, *_LIST_FIELDS)})


def _canonical(values: dict[str, Any]) -> str:
    content = {name: values[name] for name in _CONTENT_FIELDS}
    content["occurred_at"] = values["occurred_at"].isoformat()
    for name in _LIST_FIELDS:
        if values.get(name) is not None:
            content[name] = values[name]
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def shown_as(record_type: str, rows: Iterable[Any]) -> list[tuple[str, RecordId]]:
    """(record_type, id) of each row, in order: what `AuditTrail.list_page` takes."""
    return [(record_type, row.id) for row in rows]


@functools.lru_cache(maxsize=65_536)  # every school and force in England and Wales, and to spare
def _chain_lock_key(tenant: str) -> int:
    """A signed 64-bit advisory-lock key of its own for each tenant's chain (a hash, so kept per tenant)."""
    return int.from_bytes(hashlib.sha256(f"audit-chain:{tenant}".encode()).digest()[:8], "big", signed=True)


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

    def list_page(
        self,
        operation: str,
        record_type: str,
        shown: Iterable[tuple[str, RecordId]],
        *,
        within: tuple[str, RecordId] | None = None,
    ) -> None:
        """One row for a page of a list: `shown` is (record type, id) of every record on the page, in order,
        those nested in an item too; `within` the record the list belongs to (an incident's actions)."""
        listed = tuple((kind, str(record_id)) for kind, record_id in shown)
        if within is None:
            self.events.append(AuditEvent(operation, record_type, None, shown=listed))
        else:
            self.events.append(AuditEvent(operation, within[0], str(within[1]), shown=listed))


async def append_events(session: AsyncSession, model: type[Any], trail: AuditTrail, clock: Clock) -> None:
    rows = pending_rows(trail, clock.now())
    if not rows:
        return
    tenant = trail.actor.tenant
    # The request's own writes first: a write that fails must fail before its "allowed" row exists, and
    # not while this tenant's chain is locked.
    await session.flush()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # As driver SQL on the session's connection: every request of both services makes this call, and
        # compiling a statement cost more than the call. Through SQLAlchemy's cursor all the same, which
        # begins the transaction when this is its first statement (a refused request's only row).
        connection = await session.connection()
        await connection.exec_driver_sql(_APPEND_ON_POSTGRESQL_SQL, _function_arguments(rows))
        trail.events.clear()
        return
    previous = await session.scalar(
        select(model.hash).where(model.tenant == tenant).order_by(model.seq.desc()).limit(1)
    )
    previous = previous or GENESIS_HASH
    for row in rows:
        row["prev_hash"] = previous
        row["hash"] = previous = chain_hash(previous, _canonical(row))
    # One multi-row INSERT: a request may append several rows (a write and the reads it made).
    await session.execute(insert(model.__table__), rows)
    trail.events.clear()


def pending_rows(trail: AuditTrail, now: datetime) -> list[dict[str, Any]]:
    """The trail's events as audit rows (without their hashes). The caller clears the trail once they
    are written, so a statement that fails leaves them to be written by whatever runs next."""
    return [
        {
            "occurred_at": now,
            "request_id": trail.request_id,
            "subject": trail.actor.subject[:200],
            "role": trail.actor.role,
            "tenant": trail.actor.tenant,
            "operation": event.operation,
            "record_type": event.record_type,
            "record_id": event.record_id,
            "outcome": event.outcome.value,
            "problem_type": event.problem_type,
            "record_ids": None if event.shown is None else [record_id for _, record_id in event.shown],
            "record_types": None if event.shown is None else [kind for kind, _ in event.shown],
        }
        for event in trail.events
    ]


# `audit_append` as an expression, for a statement that appends the request's audit rows in the same
# round trip as its own write (shared.counters.insert_numbered); its arguments come from
# `audit_append_parameters`. PostgreSQL only.
_CALL_PARAMETERS = (
    ("audit_tenant", Text()),
    ("audit_lock_key", BigInteger()),
    ("audit_occurred_at", UTCDateTime()),
    ("audit_request_id", Text()),
    ("audit_subject", Text()),
    ("audit_role", Text()),
    *((f"audit_{name}", postgresql.ARRAY(Text)) for name in _ARRAY_ARGUMENTS),
)
AUDIT_APPEND_CALL = func.audit_append(*(bindparam(name, type_=type_) for name, type_ in _CALL_PARAMETERS))


def audit_append_parameters(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(zip((name for name, _ in _CALL_PARAMETERS), _function_arguments(rows), strict=True))


def _function_arguments(rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The arguments of `audit_append`, in the order of its parameters."""
    first = rows[0]
    return (
        first["tenant"],
        _chain_lock_key(first["tenant"]),
        first["occurred_at"],
        first["request_id"],
        first["subject"],
        first["role"],
        [row["operation"] for row in rows],
        [row["record_type"] for row in rows],
        [row["record_id"] for row in rows],
        [row["outcome"] for row in rows],
        [row["problem_type"] for row in rows],
        [_json_or_none(row["record_ids"]) for row in rows],
        [_json_or_none(row["record_types"]) for row in rows],
        [_canonical(row) for row in rows],
    )


def _json_or_none(values: list[str] | None) -> str | None:
    # A list per row, as JSON text: the rows of one request may hold lists of any length, or none.
    return None if values is None else json.dumps(values, separators=(",", ":"))


_APPEND_ON_POSTGRESQL_SQL = "SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"

# The PostgreSQL side of `append_events`, created by each service's migration. Frozen: a migration that
# ran must keep meaning what it meant, so a change is a new AUDIT_APPEND_FUNCTION_V2 and a new migration.
# The function is VOLATILE, so in READ COMMITTED each statement in it takes a fresh snapshot: the head
# it reads after taking the lock includes the commit of whoever held the lock before.
AUDIT_APPEND_FUNCTION_V1 = r"""
CREATE FUNCTION audit_append(
    p_tenant text, p_lock_key bigint, p_occurred_at timestamptz, p_request_id text, p_subject text, p_role text,
    p_operations text[], p_record_types text[], p_record_ids text[], p_outcomes text[], p_problem_types text[],
    p_contents text[]
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text;
    previous_hashes text[] := '{}';
    hashes text[] := '{}';
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_key);
    SELECT hash INTO previous FROM audit_entries WHERE tenant = p_tenant ORDER BY seq DESC LIMIT 1;
    previous := coalesce(previous, repeat('0', 64));
    FOR i IN 1 .. cardinality(p_contents) LOOP
        previous_hashes := previous_hashes || previous;
        previous := encode(sha256(convert_to(previous || E'\n' || p_contents[i], 'UTF8')), 'hex');
        hashes := hashes || previous;
    END LOOP;
    INSERT INTO audit_entries (
        occurred_at, request_id, subject, role, tenant, operation, record_type, record_id, outcome, problem_type,
        prev_hash, hash
    )
    SELECT p_occurred_at, p_request_id, p_subject, p_role, p_tenant, e.operation, e.record_type, e.record_id,
           e.outcome, e.problem_type, e.prev_hash, e.hash
    FROM unnest(p_operations, p_record_types, p_record_ids, p_outcomes, p_problem_types, previous_hashes, hashes)
         WITH ORDINALITY AS e(operation, record_type, record_id, outcome, problem_type, prev_hash, hash, position)
    ORDER BY e.position;
END
$$
"""
DROP_AUDIT_APPEND_FUNCTION_V1 = "DROP FUNCTION IF EXISTS audit_append(text, bigint, timestamptz, text, text, text, text[], text[], text[], text[], text[], text[])"

# V2: the same chain over the same content, and a list page's ids and their types (JSON text per row, NULL
# for a row that is not a list page) stored in `record_ids` and `record_types`.
AUDIT_APPEND_FUNCTION_V2 = r"""
CREATE FUNCTION audit_append(
    p_tenant text, p_lock_key bigint, p_occurred_at timestamptz, p_request_id text, p_subject text, p_role text,
    p_operations text[], p_record_types text[], p_record_ids text[], p_outcomes text[], p_problem_types text[],
    p_listed_ids text[], p_listed_types text[], p_contents text[]
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text;
    previous_hashes text[] := '{}';
    hashes text[] := '{}';
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_key);
    SELECT hash INTO previous FROM audit_entries WHERE tenant = p_tenant ORDER BY seq DESC LIMIT 1;
    previous := coalesce(previous, repeat('0', 64));
    FOR i IN 1 .. cardinality(p_contents) LOOP
        previous_hashes := previous_hashes || previous;
        previous := encode(sha256(convert_to(previous || E'\n' || p_contents[i], 'UTF8')), 'hex');
        hashes := hashes || previous;
    END LOOP;
    INSERT INTO audit_entries (
        occurred_at, request_id, subject, role, tenant, operation, record_type, record_id, outcome, problem_type,
        record_ids, record_types, prev_hash, hash
    )
    SELECT p_occurred_at, p_request_id, p_subject, p_role, p_tenant, e.operation, e.record_type, e.record_id,
           e.outcome, e.problem_type, e.listed_ids::jsonb, e.listed_types::jsonb, e.prev_hash, e.hash
    FROM unnest(p_operations, p_record_types, p_record_ids, p_outcomes, p_problem_types, p_listed_ids, p_listed_types,
                previous_hashes, hashes)
         WITH ORDINALITY AS e(operation, record_type, record_id, outcome, problem_type, listed_ids, listed_types, prev_hash,
                              hash, position)
    ORDER BY e.position;
END
$$
"""
DROP_AUDIT_APPEND_FUNCTION_V2 = (
    "DROP FUNCTION IF EXISTS audit_append(text, bigint, timestamptz, text, text, text, text[], text[], text[], text[], text[], "
    "text[], text[], text[])"
)


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str
    # Rows of this chain up to and including `seq`.
    rows: int


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    heads: dict[str, ChainHead]
    first_broken_seq: int | None = None
    problem: str | None = None
    # For each tenant asked about (`marks` of verify_chain): its rows up to the marked seq, and the hash of
    # the row at that seq ("" when no row of the tenant has it).
    at_marks: dict[str, ChainHead] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None and self.problem is None

    @property
    def last_seq(self) -> int | None:
        return max((head.seq for head in self.heads.values()), default=None)


async def verify_chain(
    session: AsyncSession, model: type[Any], batch: int = 5000, marks: dict[str, int] | None = None
) -> ChainReport:
    """Walk every tenant's chain in row order; report the first row whose link or content does not hold.

    `marks` (tenant -> seq, from a checkpoint) asks, in the same walk, how many rows each of those chains
    still has up to that seq and which hash the row at that seq carries."""
    marks = marks or {}
    heads: dict[str, ChainHead] = {}
    rows_to_mark = dict.fromkeys(marks, 0)
    hash_at_mark = dict.fromkeys(marks, "")
    checked = 0
    after = -1
    while True:
        rows = (
            await session.scalars(select(model).where(model.seq > after).order_by(model.seq).limit(batch))
        ).all()
        if not rows:
            break
        for row in rows:
            head = heads.get(row.tenant)
            if row.prev_hash != (head.hash if head else GENESIS_HASH):
                return ChainReport(checked, heads, row.seq, "link to the previous row of its chain is broken")
            if chain_hash(row.prev_hash, canonical_content(row)) != row.hash:
                return ChainReport(checked, heads, row.seq, "row content does not match its hash")
            heads[row.tenant] = ChainHead(row.seq, row.hash, (head.rows if head else 0) + 1)
            mark = marks.get(row.tenant)
            if mark is not None and row.seq <= mark:
                rows_to_mark[row.tenant] += 1
                if row.seq == mark:
                    hash_at_mark[row.tenant] = row.hash
            checked += 1
        after = rows[-1].seq
        session.expunge_all()
    at_marks = {tenant: ChainHead(marks[tenant], hash_at_mark[tenant], rows_to_mark[tenant]) for tenant in marks}
    return ChainReport(checked, heads, at_marks=at_marks)


# --- Signed checkpoints --------------------------------------------------------------------------
# A checkpoint is a JWS, signed with the service's signing key, of every chain's head at one moment:
# its seq, its hash and the chain's row count. The chain may only grow after it: `audit-verify` checks
# that each checkpointed head is still in place, and counts what is missing when it is not. Without a
# checkpoint an intruder who empties the table, or cuts the last rows off a chain, leaves a chain that is
# consistent in itself; with one, the cut is detected and measured in rows.


@dataclass(frozen=True)
class CheckpointGap:
    """A chain that no longer reaches its checkpointed head."""

    tenant: str
    checkpoint_seq: int
    # Rows up to the checkpointed head that are no longer there (None: an old checkpoint without counts).
    rows_missing: int | None
    # A row still has the checkpointed seq but another hash: the chain up to it was replaced.
    rewritten: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "checkpoint_seq": self.checkpoint_seq,
            "rows_missing": self.rows_missing,
            "rewritten": self.rewritten,
        }


def checkpoint_marks(checkpoint: dict[str, Any]) -> dict[str, int]:
    return {tenant: int(head["seq"]) for tenant, head in checkpoint.get("heads", {}).items()}


def checkpoint_gaps(report: ChainReport, checkpoint: dict[str, Any]) -> list[CheckpointGap]:
    """The checkpointed chains that `report` (walked with the checkpoint's marks) no longer carries."""
    gaps = []
    for tenant, head in sorted(checkpoint.get("heads", {}).items()):
        found = report.at_marks.get(tenant)
        if found is not None and found.hash == head["hash"]:
            continue
        rows_missing = None
        if "rows" in head:
            rows_missing = max(int(head["rows"]) - (found.rows if found else 0), 0)
        rewritten = found is not None and found.hash != ""
        gaps.append(CheckpointGap(tenant, int(head["seq"]), rows_missing, rewritten))
    return gaps


def describe_gaps(gaps: list[CheckpointGap]) -> dict[str, Any]:
    missing = [gap.rows_missing for gap in gaps if gap.rows_missing is not None]
    return {
        "problem": (
            f"{len(gaps)} chain(s) no longer reach their checkpointed head: the audit trail was truncated, "
            "emptied or rewritten"
        ),
        "rows_missing": sum(missing) if missing else None,
        "chains": [gap.as_dict() for gap in gaps],
    }


class CheckpointRefused(Exception):
    """No checkpoint is signed over a chain that is broken, or shorter than the previous checkpoint."""


async def signed_checkpoint(
    session: AsyncSession,
    model: type[Any],
    signer: TokenIssuer,
    service: str,
    clock: Clock,
    previous: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """A signed checkpoint of every chain's head, and its document. Refused when a chain is broken or no
    longer reaches `previous` (the latest checkpoint): signing then would bless the cut."""
    report = await verify_chain(session, model, marks=checkpoint_marks(previous) if previous else None)
    if not report.intact:
        raise CheckpointRefused(f"audit chain is broken at row {report.first_broken_seq}; no checkpoint signed")
    gaps = checkpoint_gaps(report, previous) if previous else []
    if gaps:
        missing = describe_gaps(gaps)["rows_missing"]
        raise CheckpointRefused(f"{len(gaps)} chain(s) lost rows since the last checkpoint ({missing} rows); no checkpoint signed")
    document = {
        "service": service,
        "heads": {
            tenant: {"seq": head.seq, "hash": head.hash, "rows": head.rows} for tenant, head in sorted(report.heads.items())
        },
        "rows": report.rows_checked,
        "signed_at": clock.now().isoformat(),
    }
    return signer.sign_document(document), document


def read_checkpoint(signed: str, public_key_pem: str) -> dict[str, Any]:
    """The checkpoint's document once its signature verifies (raises InvalidToken otherwise)."""
    return verify_signed_document(signed, public_key_pem)


def names_record(model: type[Any], record_id: str, dialect: str) -> ColumnElement[bool]:
    """The rows about one record: it is their record, or a list page showed it."""
    if dialect == "postgresql":
        # `@>` on JSONB, served by the GIN index ix_audit_entries_record_ids.
        shown = model.record_ids.op("@>")(cast(literal(json.dumps([record_id])), postgresql.JSONB))
    else:
        listed = func.json_each(model.record_ids).table_valued("value")
        shown = exists(select(1).select_from(listed).where(listed.c.value == record_id))
    return or_(model.record_id == record_id, shown)


@dataclass(frozen=True)
class AuditFilter:
    """What a reader of the audit trail narrows it to: one record, one operation, one outcome, a time window."""

    record_id: str | None = None
    operation: str | None = None
    outcome: AuditOutcome | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


async def audit_page(
    session: AsyncSession, model: type[Any], tenant: str, where: AuditFilter, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """A page of the caller's own tenant's chain, oldest first, in chain order (seq), so that a reader
    walks the trail as it was written; the cursor is the last seq shown."""
    query = select(model).where(model.tenant == tenant)
    if where.record_id is not None:
        query = query.where(names_record(model, where.record_id, session.bind.dialect.name))
    if where.operation is not None:
        query = query.where(model.operation == where.operation)
    if where.outcome is not None:
        query = query.where(model.outcome == where.outcome.value)
    if where.occurred_from is not None:
        query = query.where(model.occurred_at >= where.occurred_from)
    if where.occurred_to is not None:
        query = query.where(model.occurred_at < where.occurred_to)
    if cursor is not None:
        after, _ = decode_position(cursor)
        if not isinstance(after, int):
            raise MalformedRequest("The cursor is not one this service issued.")
        query = query.where(model.seq > after)
    rows = list((await session.scalars(query.order_by(model.seq).limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_position(rows[-1].seq, "")
