"""Keyset (cursor) pagination on (created_at, id): a deep page costs what the first page costs."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, tuple_

from shared.problems import MalformedRequest

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def encode_cursor(created_at: datetime, record_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(record_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, record_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed = datetime.fromisoformat(created_at)
        if parsed.tzinfo is None:
            raise ValueError("naive cursor")
        return parsed, uuid.UUID(record_id)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedRequest("The cursor is not one this service issued.") from exc


def newest_first(query: Select[Any], created_at: Any, record_id: Any, cursor: str | None, limit: int) -> Select[Any]:
    """Order newest first and start after the cursor; fetch one extra row to know if a page follows.

    The cursor condition is a row-value comparison, `(created_at, id) < (c, i)`, so that the
    `(tenant, created_at, id)` index serves a deep page as it serves the first: the spelled-out
    `created_at < c OR (created_at = c AND id < i)` made PostgreSQL filter every earlier row.
    """
    query = query.order_by(created_at.desc(), record_id.desc()).limit(limit + 1)
    if cursor is not None:
        after_created_at, after_id = decode_cursor(cursor)
        after = tuple_(literal(after_created_at, created_at.type), literal(after_id, record_id.type))
        query = query.where(tuple_(created_at, record_id) < after)
    return query


def page_of(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """The page and the cursor of the next one (None on the last page)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].id)
