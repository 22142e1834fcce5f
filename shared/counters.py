"""Per-tenant, per-year counters for human references (`100001-2026-0007`, `52-2026-000123`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AUDIT_APPEND_CALL, AuditTrail, audit_append_parameters, pending_rows
from shared.clock import Clock
from shared.db import built_values, has_pending_changes, insert_as_built
from shared.tenancy import refuse_foreign_write


@dataclass(frozen=True)
class Reference:
    """`<prefix><number>`, the number zero-padded to at least `digits` digits (more once it outgrows them)."""

    prefix: str
    digits: int

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.digits}d}"


async def next_number(session: AsyncSession, counter: type[Any], **key: Any) -> int:
    """Take the next number of `counter` for `key` in the caller's transaction.

    One upsert that returns the new value: concurrent takers queue on the counter row, and a
    rolled-back transaction gives its number back, so the numbers have no gaps.
    """
    connection = await session.connection()
    return (await connection.execute(_take(session, counter, tuple(key)), key)).scalar_one()


async def insert_numbered(
    session: AsyncSession,
    record: Any,
    counter: type[Any],
    key: dict[str, Any],
    attribute: str,
    reference: Reference,
    *,
    audit: AuditTrail,
    clock: Clock,
) -> None:
    """Number `record` from `counter` and insert it, every other column already set (see `insert_as_built`).

    On PostgreSQL the counter's upsert, the insert and the append of the request's audit events so far
    are one statement (the upsert and the insert in WITH clauses, then `audit_append`): one round trip
    where there were two, on every incident opened, which is what the benchmark's create measures. The
    statement fails or succeeds whole, so the "allowed" row never exists without the write. Events
    recorded later are appended at the end of the request as usual. SQLite takes the number, inserts,
    and leaves the events to the end of the request.

    It must be the request's last write: the tenant's audit-chain lock is held from here to the commit,
    and a row lock taken after it would reverse the order every other request takes them in.

    When it is also the request's first statement (nothing read or written before it), the statement
    is the whole transaction and is sent without BEGIN and COMMIT: PostgreSQL commits a lone statement
    atomically, so this is one round trip where there were three, and the counter row and the chain
    lock are held only while PostgreSQL runs the statement and flushes its WAL, not across two more
    network turns behind the event loop's queue; that hold is what all of one school's creates wait on.
    """
    if _dialect(session) != "postgresql":
        setattr(record, attribute, reference.format(await next_number(session, counter, **key)))
        await insert_as_built(session, record)
        return
    refuse_foreign_write(session.sync_session, record)
    pending = has_pending_changes(session)
    alone = not session.in_transaction() and not pending
    if pending:
        await session.flush()  # the request's earlier writes before its audit rows, as in append_events
    parameters = numbered_insert_parameters(record, key, attribute, reference)
    audit_rows = pending_rows(audit, clock.now())
    if audit_rows:
        parameters |= audit_append_parameters(audit_rows)
    statement = _numbered_insert(inspect(type(record)), counter, tuple(key), attribute, audited=bool(audit_rows))
    connection = await session.connection(execution_options=_ITS_OWN_TRANSACTION if alone else None)
    compiled = _compiled_for(statement, connection.dialect)
    setattr(record, attribute, (await connection.exec_driver_sql(compiled.sql, compiled.arguments(parameters))).scalar_one())
    audit.events.clear()


_ITS_OWN_TRANSACTION = {"isolation_level": "AUTOCOMMIT"}
_NUMBERED_INSERTS: dict[tuple[Any, ...], Any] = {}


def numbered_insert_parameters(record: Any, key: dict[str, Any], attribute: str, reference: Reference) -> dict[str, Any]:
    """The parameters of `numbered_insert` for `record`, its encrypted columns sealed."""
    parameters = {f"value_{name}": value for name, value in built_values(record, left_to_the_database=attribute).items()}
    parameters |= {f"counter_{column}": value for column, value in key.items()}
    return parameters | {"reference_prefix": reference.prefix, "reference_digits": reference.digits}


@dataclass(frozen=True)
class _CompiledStatement:
    """A statement compiled once for a dialect, sent as driver SQL: its SQL text and, for each positional
    parameter in order, its name, whether the caller must give it, the value the statement holds for it
    otherwise (the counter's 1 and + 1, lpad's "0"), and SQLAlchemy's own bind processor for its type.

    `Connection.execute` of the statement does the same on every call, and more: it looks the statement
    up in the compiled cache (hashing its whole cache key), builds a dict of every parameter and then the
    positional tuple. The values sent are the same, taken as `construct_params` takes them and processed
    by the same processors.
    """

    statement: Any
    sql: str
    parameters: tuple[tuple[str, bool, Any, Callable[[Any], Any] | None], ...]

    def arguments(self, values: dict[str, Any]) -> tuple[Any, ...]:
        arguments = []
        for name, required, held, process in self.parameters:
            value = values[name] if required or name in values else held
            arguments.append(value if process is None else process(value))
        return tuple(arguments)


# By the statement's identity and the dialect: the statements are the ones kept in _NUMBERED_INSERTS, and
# each entry holds its statement, so an id here is never reused for another.
_COMPILED: dict[tuple[int, str], _CompiledStatement] = {}


def _compiled_for(statement: Any, dialect: Any) -> _CompiledStatement:
    cache_key = (id(statement), dialect.name)
    if (compiled := _COMPILED.get(cache_key)) is not None:
        return compiled
    sql = statement.compile(dialect=dialect)
    parameters = tuple(
        (name, bind.required, bind.effective_value, bind.type.dialect_impl(dialect).bind_processor(dialect))
        for name, bind in ((name, sql.binds[name]) for name in sql.positiontup)
    )
    compiled = _COMPILED[cache_key] = _CompiledStatement(statement, sql.string, parameters)
    return compiled


def _numbered_insert(mapper: Any, counter: type[Any], key_columns: tuple[str, ...], attribute: str, *, audited: bool) -> Any:
    """Built once per kind of record and kept: every value is a bound parameter, so SQLAlchemy compiles
    it once and the request pays neither the building nor the cache-key walk of a 25-column statement."""
    cache_key = (mapper.class_, counter, key_columns, attribute, audited)
    if (statement := _NUMBERED_INSERTS.get(cache_key)) is not None:
        return statement
    statement = numbered_insert(mapper, counter, key_columns, attribute)
    if audited:
        inserted = statement.cte("inserted")
        statement = select(inserted.c[attribute], AUDIT_APPEND_CALL).select_from(inserted)
    _NUMBERED_INSERTS[cache_key] = statement
    return statement


def numbered_insert(mapper: Any, counter: type[Any], key_columns: tuple[str, ...], attribute: str) -> Any:
    """PostgreSQL: the counter's upsert in a WITH clause and the insert of the record numbered from it, which
    returns the record's `attribute` (its reference); for a caller that writes more in the same statement,
    as a CTE of its own. Parameters from `numbered_insert_parameters`."""
    counters = counter.__table__
    key = {column: bindparam(f"counter_{column}", type_=counters.c[column].type) for column in key_columns}
    taken = _counter_upsert(postgresql_insert, counters, key).cte("taken")
    number = cast(taken.c.last_number, String)
    digits = bindparam("reference_digits", type_=Integer)
    padded = func.lpad(number, func.greatest(digits, func.length(number)), "0")
    reference_sql = bindparam("reference_prefix", type_=String) + padded
    table = mapper.local_table
    columns, values = [], []
    for mapped in mapper.column_attrs:
        column = mapped.columns[0]
        columns.append(column.key)
        values.append(reference_sql if mapped.key == attribute else bindparam(f"value_{column.key}", type_=column.type))
    return insert(table).from_select(columns, select(*values).select_from(taken)).returning(table.c[attribute])


_TAKES: dict[tuple[Any, ...], Any] = {}


def _take(session: AsyncSession, counter: type[Any], key_columns: tuple[str, ...]) -> Any:
    """The counter's upsert, built once per counter and dialect with the key as bound parameters: building
    it per call cost as much as running it (intake takes two numbers). On the table, not the mapped
    class, and run on the session's connection: a Core statement skips the ORM's bulk-insert machinery
    and its execution path, which cost more than the round trip itself on every incident and report."""
    dialect = _dialect(session)
    cache_key = (counter, key_columns, dialect)
    if (statement := _TAKES.get(cache_key)) is None:
        table = counter.__table__
        insert_for_dialect = postgresql_insert if dialect == "postgresql" else sqlite_insert
        key = {column: bindparam(column, type_=table.c[column].type) for column in key_columns}
        statement = _TAKES[cache_key] = _counter_upsert(insert_for_dialect, table, key)
    return statement


def _counter_upsert(insert_for_dialect: Any, table: Any, key: dict[str, Any]) -> Any:
    """Start the key's counter at 1 or add one to it, returning the number taken."""
    return (
        insert_for_dialect(table)
        .values(key)
        .values(last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c[column] for column in key],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"
