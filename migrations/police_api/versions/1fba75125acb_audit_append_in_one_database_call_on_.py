"""audit: append in one database call on PostgreSQL

Revision ID: 1fba75125acb
Revises: 156379ebfb3b
Create Date: 2026-11-27 08:24:23.108563
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from shared.audit import AUDIT_APPEND_FUNCTION_V1, DROP_AUDIT_APPEND_FUNCTION_V1

revision: str = '1fba75125acb'
down_revision: str | None = '156379ebfb3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostgreSQL only: SQLite has a single writer, and there the chain is appended from Python.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND_FUNCTION_V1)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_AUDIT_APPEND_FUNCTION_V1)
