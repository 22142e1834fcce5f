"""Per-tenant, per-year counters for human references (`100001-2026-0007`, `52-2026-000123`)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def next_number(session: AsyncSession, counter: type[Any], **key: Any) -> int:
    """Take the next number of `counter` for `key` in the caller's transaction.

    One upsert that returns the new value: concurrent takers queue on the counter row, and a
    rolled-back transaction gives its number back, so the numbers have no gaps.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # On the table, not the mapped class: a Core statement skips the ORM's bulk-insert machinery,
    # which cost more than the round trip itself on every incident and report created.
    table = counter.__table__
    statement = (
        insert(table)
        .values(**key, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c[column] for column in key],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return (await session.execute(statement)).scalar_one()
