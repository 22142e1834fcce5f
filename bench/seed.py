"""Bulk seeding for the growth runs: rows inserted straight into the databases, valid for the current models.

Rows are built from the SQLAlchemy metadata (so a column added later gets a value of its type) with
explicit values where meaning matters (tenant, reference, times). Audit rows are not seeded: the audit
chain's cost per request is measured with the rows the benchmark itself creates.
"""
from __future__ import annotations

import enum
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.pool import NullPool
from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Integer, MetaData, Numeric, String, Table, Text, Uuid, create_engine

from shared.encryption import EncryptedDate, EncryptedJSON, EncryptedText, sealed_values

BATCH = 5000
SEED_YEAR = 2001  # references of seeded rows use this year, so they never collide with the counters' numbers
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

Overrides = dict[str, Callable[[int], Any]]


def _generic(column: Any, index: int) -> Any:
    kind = column.type
    if isinstance(kind, EncryptedJSON):
        return {}
    if isinstance(kind, EncryptedDate):
        return date(2008, 1, 1) + timedelta(days=index % 3000)
    if isinstance(kind, EncryptedText):
        return f"b{index:x}"
    if isinstance(kind, Enum):
        if kind.enum_class is not None:
            return list(kind.enum_class)[0]
        return kind.enums[0]
    if isinstance(kind, Uuid):
        return uuid.uuid4()
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 0
    if isinstance(kind, Numeric):
        return 0
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, Date):
        return date(2008, 1, 1) + timedelta(days=index % 3000)
    if isinstance(kind, DateTime) or getattr(kind, "impl", None) is not None and isinstance(kind.impl, DateTime):
        return BASE_TIME - timedelta(seconds=index)
    if isinstance(kind, (String, Text)):
        text = f"b{index:x}"
        length = getattr(kind, "length", None)
        return text[-length:] if length else text
    raise ValueError(f"no generic value for {column.table.name}.{column.name} ({kind!r})")


def rows(table: Table, count: int, overrides: Overrides, parents: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    for index in range(count):
        row: dict[str, Any] = {}
        for column in table.columns:
            if column.name in overrides:
                row[column.name] = overrides[column.name](index)
                continue
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None and foreign.column.table.name in parents and parents[foreign.column.table.name]:
                ids = parents[foreign.column.table.name]
                row[column.name] = ids[index % len(ids)]
                continue
            if column.default is not None or column.server_default is not None:
                default = column.default
                if default is not None and getattr(default, "is_scalar", False):
                    row[column.name] = default.arg
                elif default is not None and getattr(default, "is_callable", False):
                    row[column.name] = default.arg({}) if _takes_context(default.arg) else default.arg()
                continue
            if column.nullable and not column.primary_key:
                continue
            if column.primary_key and isinstance(column.type, Integer):
                continue  # autoincrement
            row[column.name] = _generic(column, index)
        # Encrypted columns hold tokens sealed for their row, as the services write them (their key ring).
        yield sealed_values(table, row)


def _takes_context(function: Callable[..., Any]) -> bool:
    try:
        function()
        return False
    except TypeError:
        return True


class Seeder:
    def __init__(self, sync_url: str, metadata: MetaData) -> None:
        self.engine = create_engine(sync_url, poolclass=NullPool)  # holds no connection between uses
        self.metadata = metadata
        self.timings: dict[str, float] = {}

    def insert(self, table_name: str, count: int, overrides: Overrides, parents: dict[str, list[Any]] | None = None,
               keep: str | None = None) -> list[Any]:
        """Insert `count` rows; returns the values of column `keep` (for children's foreign keys)."""
        table = self.metadata.tables[table_name]
        kept: list[Any] = []
        batch: list[dict[str, Any]] = []
        if self.engine.dialect.name == "postgresql":
            started = time.perf_counter()
            kept = self._copy(table, count, overrides, parents or {}, keep)
            self.timings[table_name] = self.timings.get(table_name, 0.0) + time.perf_counter() - started
            return kept
        with self.engine.begin() as connection:
            for row in rows(table, count, overrides, parents or {}):
                batch.append(row)
                if keep is not None:
                    kept.append(row[keep])
                if len(batch) >= BATCH:
                    connection.execute(table.insert(), batch)
                    batch = []
            if batch:
                connection.execute(table.insert(), batch)
            if self.engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f'ANALYZE "{table_name}"')
        return kept

    def _copy(self, table: Table, count: int, overrides: Overrides, parents: dict[str, list[Any]],
              keep: str | None) -> list[Any]:
        """PostgreSQL: COPY, about ten times faster than batched INSERTs (a million rows in well under a minute).

        Values go through each column type's own bind conversion (enum names, UTC datetimes), so the rows
        are what the ORM would have written."""
        from psycopg.types.json import Json  # noqa: PLC0415

        dialect = self.engine.dialect
        generated = rows(table, count, overrides, parents)
        first = next(generated, None)
        if first is None:
            return []
        columns = [column for column in table.columns if column.name in first]
        processors = [column.type.bind_processor(dialect) if isinstance(column.type, Enum) else None for column in columns]
        converters = [getattr(column.type, "process_bind_param", None) for column in columns]
        kept: list[Any] = []
        names = ", ".join(f'"{column.name}"' for column in columns)
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in itertools.chain([first], generated):
                    if keep is not None:
                        kept.append(row[keep])
                    values = []
                    for column, processor, converter in zip(columns, processors, converters, strict=True):
                        value = row.get(column.name)
                        if value is not None:
                            if processor is not None:
                                value = processor(value)
                            elif converter is not None and isinstance(value, datetime):
                                value = converter(value, dialect)
                            elif isinstance(value, (dict, list)):
                                value = Json(value)
                        values.append(value)
                    copy.write_row(values)
            cursor.execute(f'ANALYZE "{table.name}"')
            raw.commit()
        finally:
            raw.close()
        return kept

    def analyze(self) -> None:
        """Refresh the planner's statistics of every table, as autovacuum would within a minute or so of
        this much growth: a phase that reads right after a write burst must not be planned from the
        statistics of the empty table (docs/performance.md, "stale statistics")."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()


def enum_value(table: Table, column: str, preferred: str) -> Any:
    """The enum member named `preferred` if the column's enum has it, otherwise its first member."""
    kind = table.columns[column].type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        members: list[enum.Enum] = list(kind.enum_class)
        return next((m for m in members if m.name == preferred or m.value == preferred), members[0])
    return preferred
