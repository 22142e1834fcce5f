"""encrypt names, dates of birth and narrative text at rest (issue 14)

Every column that holds a person's name, a date of birth, a UPN or narrative text becomes TEXT holding a
token sealed for its row (shared.encryption), and the rows already stored are sealed here, in the
migration's transaction, with the service's key ring (SCHOOL_API_DATA_KEYS_FILE; the migrate command passes
it). An empty database needs no key ring to migrate. The downgrade opens every token again and restores
the old column types.

Revision ID: 4b5509aa2f99
Revises: 1b4b1f5d1a0c
Create Date: 2026-12-03 15:54:02.335522
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from shared.encryption import KeyRing, decrypt_existing_rows, encrypt_existing_rows, load_key_ring

revision: str = '4b5509aa2f99'
down_revision: str | None = '1b4b1f5d1a0c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sa.Text()
# table -> column -> (its type before this revision, how its plain value is read: text, date or json)
COLUMNS: dict[str, dict[str, tuple[Any, str]]] = {
    "incidents": {"narrative": (TEXT, "text"), "where_image_ended_up": (TEXT, "text"), "resolution": (TEXT, "text")},
    "incident_observations": {"text": (TEXT, "text")},
    "people": {
        "given_name": (sa.String(100), "text"),
        "family_name": (sa.String(100), "text"),
        "upn": (sa.String(13), "text"),
        "date_of_birth": (sa.Date(), "date"),
    },
    "devices": {"description": (sa.String(200), "text"), "secured_location": (sa.String(200), "text")},
    "device_custody_events": {
        "by_whom": (sa.String(200), "text"), "to_whom": (sa.String(200), "text"), "location": (sa.String(200), "text"),
    },
    "authorisations": {"authorised_person": (sa.String(200), "text"), "reason": (TEXT, "text")},
    "device_searches": {
        "searched_by": (sa.String(200), "text"),
        "safeguarding_member_present": (sa.String(200), "text"),
        "distress_judgement": (TEXT, "text"),
        "findings": (TEXT, "text"),
    },
    "image_viewings": {"reason": (TEXT, "text"), "distress_judgement": (TEXT, "text")},
    "risk_assessments": {"notes": (TEXT, "text")},
    "decisions": {"reasons": (TEXT, "text"), "parents_not_informed_reason": (TEXT, "text"), "safeguards": (TEXT, "text")},
    "reviews": {"outcome": (TEXT, "text"), "what_worked": (TEXT, "text"), "procedure_changes": (TEXT, "text")},
    "action_entries": {"justification": (TEXT, "text"), "performed_by": (sa.String(200), "text")},
    "outbox_messages": {"payload": (sa.JSON(), "json")},
    # Tables of the retention and narrative-history revision, which comes before this one.
    "narrative_versions": {"previous_text": (TEXT, "text")},
    "legal_holds": {"reason": (TEXT, "text"), "lift_reason": (TEXT, "text")},
}
KINDS = {table: {column: kind for column, (_old, kind) in columns.items()} for table, columns in COLUMNS.items()}
_POSTGRES_CAST = {"date": "date", "json": "json"}


def _ring() -> Callable[[], KeyRing]:
    """The service's key ring, read the first time a value needs it."""
    path = context.config.attributes.get("data_keys_file")
    if path is None:
        from services.school_api.settings import SchoolSettings

        path = SchoolSettings().data_keys_file
    return cache(lambda: load_key_ring(Path(path)))


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        changing = {name: old for name, (old, _kind) in columns.items() if not isinstance(old, sa.Text)}
        if changing:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, old in changing.items():
                    batch_op.alter_column(name, existing_type=old, type_=sa.Text(), postgresql_using=f"{name}::text")
    encrypt_existing_rows(op.get_bind(), KINDS, _ring())


def downgrade() -> None:
    decrypt_existing_rows(op.get_bind(), KINDS, _ring())
    for table, columns in COLUMNS.items():
        changing = {name: (old, kind) for name, (old, kind) in columns.items() if not isinstance(old, sa.Text)}
        if changing:
            # SQLite's batch copy casts a value whose type affinity changes, and CAST('2011-06-14' AS DATE) is
            # 2011 there: declaring the date column as a date already keeps the copy verbatim.
            dates = [sa.Column(name, old) for name, (old, kind) in changing.items() if kind == "date"]
            with op.batch_alter_table(table, schema=None, reflect_args=dates) as batch_op:
                for name, (old, kind) in changing.items():
                    using = f"{name}::{_POSTGRES_CAST[kind]}" if kind in _POSTGRES_CAST else None
                    batch_op.alter_column(name, existing_type=sa.Text(), type_=old, postgresql_using=using)
