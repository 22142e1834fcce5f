"""audit: a list page is one row naming every record it showed

Revision ID: a4c1e7d2b9f0
Revises: 220dd30cb7dc
Create Date: 2026-12-04 01:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.audit import (
    AUDIT_APPEND_FUNCTION_V1, AUDIT_APPEND_FUNCTION_V2, DROP_AUDIT_APPEND_FUNCTION_V1, DROP_AUDIT_APPEND_FUNCTION_V2, RECORD_LIST,
)

revision: str = 'a4c1e7d2b9f0'
down_revision: str | None = '220dd30cb7dc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and empty on every row written so far: those rows keep their canonical content and their hashes.
    op.add_column("audit_entries", sa.Column("record_ids", RECORD_LIST, nullable=True))
    op.add_column("audit_entries", sa.Column("record_types", RECORD_LIST, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_audit_entries_record_ids", "audit_entries", ["record_ids"],
            postgresql_using="gin", postgresql_ops={"record_ids": "jsonb_path_ops"},
        )
        op.execute(DROP_AUDIT_APPEND_FUNCTION_V1)
        op.execute(AUDIT_APPEND_FUNCTION_V2)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_AUDIT_APPEND_FUNCTION_V2)
        op.execute(AUDIT_APPEND_FUNCTION_V1)
        op.drop_index("ix_audit_entries_record_ids", table_name="audit_entries")
    # SQLite drops a column in place (3.35+); the append-only triggers do not fire on a schema change.
    op.drop_column("audit_entries", "record_types")
    op.drop_column("audit_entries", "record_ids")
