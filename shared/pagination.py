"""One page shape for every list of both services, and keyset (cursor) paging behind it.

Every list answers `{"items": [...], "next_cursor": str | null}`: a client pages any list the same way,
passing `next_cursor` back as `cursor` until it is null. Paging is by keyset on (sort key, id), so a deep
page costs what the first page costs and a row written between two pages neither repeats nor hides one.
"""
from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, literal, tuple_

from shared.problems import MalformedRequest

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")

# The query parameters every list takes; a route declares `cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE`.
Cursor = Annotated[str | None, Query(max_length=400, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")]


class Page(BaseModel, Generic[T]):
    """A page of a list; `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None


def encode_position(value: Any, record_id: Any) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, str(record_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, record_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(record_id, str) or not isinstance(value, str | int):
            raise ValueError("not a cursor")
        return value, record_id
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedRequest("The cursor is not one this service issued.") from exc


def encode_cursor(created_at: datetime, record_id: uuid.UUID) -> str:
    return encode_position(created_at, record_id)


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    value, record_id = decode_position(cursor)
    try:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("naive cursor")
        return parsed, uuid.UUID(record_id)
    except ValueError as exc:
        raise MalformedRequest("The cursor is not one this service issued.") from exc


@dataclass(frozen=True)
class Keyset:
    """A list's order: a datetime sort key and the row id as tie-break, newest or oldest first.

    `of` picks the model that carries the two columns out of a result row (for a join that selects
    several entities); by default the row is the model.
    """

    key: Any
    record_id: Any
    newest_first: bool = True
    of: Callable[[Any], Any] | None = None

    def apply(self, query: Select[Any], cursor: str | None, limit: int) -> Select[Any]:
        """Order the query and start after the cursor; fetch one extra row to know if a page follows.

        The cursor condition is a row-value comparison, `(key, id) < (k, i)`, so that an index on
        `(tenant, key, id)` serves a deep page as it serves the first: the spelled-out
        `key < k OR (key = k AND id < i)` made PostgreSQL filter every earlier row.
        """
        if self.newest_first:
            query = query.order_by(self.key.desc(), self.record_id.desc())
        else:
            query = query.order_by(self.key.asc(), self.record_id.asc())
        query = query.limit(limit + 1)
        if cursor is not None:
            after_key, after_id = decode_cursor(cursor)
            after = tuple_(literal(after_key, self.key.type), literal(after_id, self.record_id.type))
            here = tuple_(self.key, self.record_id)
            query = query.where(here < after if self.newest_first else here > after)
        return query

    def page(self, rows: Sequence[Any], limit: int) -> tuple[list[Any], str | None]:
        """The page and the cursor of the next one (None on the last page)."""
        rows = list(rows)
        if len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        last = rows[-1] if self.of is None else self.of(rows[-1])
        return rows, encode_cursor(getattr(last, self.key.key), getattr(last, self.record_id.key))


def newest_first(query: Select[Any], created_at: Any, record_id: Any, cursor: str | None, limit: int) -> Select[Any]:
    return Keyset(created_at, record_id).apply(query, cursor, limit)


def page_of(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """The page of a list ordered by (created_at, id), and the cursor of the next one."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].id)


def page_in_order(items: Sequence[T], key: Callable[[T], str | int], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """Page a short list already in its order (a reference table), by the key of the last item shown.

    Such lists are small and fixed, so they are paged in memory; the cursor still names a key, not an
    offset, so an entry added between two pages does not shift the next one.
    """
    start = 0
    if cursor is not None:
        after, _ = decode_position(cursor)
        keys = [str(key(item)) for item in items]
        if str(after) not in keys:
            raise MalformedRequest("The cursor is not one this service issued.")
        start = keys.index(str(after)) + 1
    chunk = list(items[start : start + limit + 1])
    if len(chunk) <= limit:
        return chunk, None
    chunk = chunk[:limit]
    return chunk, encode_position(str(key(chunk[-1])), "")


async def fetch_page(session: Any, query: Select[Any], keyset: Keyset, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Run a list query one page at a time in the keyset's order (entities: `session.scalars`)."""
    rows = (await session.scalars(keyset.apply(query, cursor, limit))).all()
    return keyset.page(rows, limit)


async def fetch_rows_page(session: Any, query: Select[Any], keyset: Keyset, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """As `fetch_page` for a query that selects several entities or columns per row (`session.execute`)."""
    rows = (await session.execute(keyset.apply(query, cursor, limit))).all()
    return keyset.page(rows, limit)
