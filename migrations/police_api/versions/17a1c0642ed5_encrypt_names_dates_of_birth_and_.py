"""encrypt names, dates of birth and narrative text at rest; the person index looks up keyed hashes (issue 14)

Every column that holds a person's name, a date of birth, a UPN or narrative text (the school's report as
received among them) becomes TEXT holding a token sealed for its row (shared.encryption), and the rows
already stored are sealed here, in the migration's transaction, with the service's key ring
(POLICE_API_DATA_KEYS_FILE; the migrate command passes it). The person index's plain `name_key` and its
UPN lookup give way to keyed hashes (`name_dob_key`, `upn_key`), computed here from the plain values
before they are sealed. An empty database needs no key ring to migrate. The downgrade reverses each step.

Revision ID: 17a1c0642ed5
Revises: 569fc9eaffcb
Create Date: 2026-12-03 15:54:07.023678
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from shared.encryption import KeyRing, decrypt_existing_rows, encrypt_existing_rows, load_key_ring

revision: str = '17a1c0642ed5'
down_revision: str | None = '569fc9eaffcb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sa.Text()
# table -> column -> (its type before this revision, how its plain value is read: text, date or json)
COLUMNS: dict[str, dict[str, tuple[Any, str]]] = {
    "persons": {
        "given_name": (sa.String(100), "text"),
        "family_name": (sa.String(100), "text"),
        "date_of_birth": (sa.Date(), "date"),
        "upn": (sa.String(13), "text"),
    },
    "person_merges": {"reason": (TEXT, "text")},
    "school_reports": {"content": (sa.JSON(), "json"), "triage_note": (TEXT, "text")},
    "police_incidents": {
        "no_crime_reason": (TEXT, "text"), "route_override_reason": (TEXT, "text"), "no_prosecution_reason": (TEXT, "text"),
    },
    "crimes": {"proposed_rationale": (TEXT, "text"), "public_interest_rationale": (TEXT, "text")},
    "crime_corrections": {"reason": (TEXT, "text")},
    "victim_contacts": {"note": (TEXT, "text")},
    "ppu_updates": {"text": (TEXT, "text")},
    "restorative_meetings": {"attendees": (sa.JSON(), "json"), "outcome": (TEXT, "text")},
    "education_records": {"description": (TEXT, "text")},
    # The table of the retention revision, which comes before this one.
    "legal_holds": {"reason": (TEXT, "text"), "lift_reason": (TEXT, "text")},
}
KINDS = {table: {column: kind for column, (_old, kind) in columns.items()} for table, columns in COLUMNS.items()}
_POSTGRES_CAST = {"date": "date", "json": "json"}
PERSONS = sa.table(
    "persons",
    sa.column("id"),
    sa.column("given_name", sa.Text()),
    sa.column("family_name", sa.Text()),
    sa.column("date_of_birth", sa.Text()),
    sa.column("upn", sa.Text()),
    sa.column("name_key", sa.Text()),
    sa.column("name_dob_key", sa.Text()),
    sa.column("upn_key", sa.Text()),
)


def _ring() -> Callable[[], KeyRing]:
    """The service's key ring, read the first time a value needs it."""
    path = context.config.attributes.get("data_keys_file")
    if path is None:
        from services.police_api.settings import PoliceSettings

        path = PoliceSettings().data_keys_file
    return cache(lambda: load_key_ring(Path(path)))


def _change_types(upgrading: bool) -> None:
    for table, columns in COLUMNS.items():
        changing = {name: (old, kind) for name, (old, kind) in columns.items() if not isinstance(old, sa.Text)}
        if not changing:
            continue
        # SQLite's batch copy casts a value whose type affinity changes, and CAST('2011-06-14' AS DATE) is 2011
        # there: declaring the date column as a date already keeps the copy verbatim.
        dates = [] if upgrading else [sa.Column(name, old) for name, (old, kind) in changing.items() if kind == "date"]
        with op.batch_alter_table(table, schema=None, reflect_args=dates) as batch_op:
            for name, (old, kind) in changing.items():
                if upgrading:
                    batch_op.alter_column(name, existing_type=old, type_=sa.Text(), postgresql_using=f"{name}::text")
                else:
                    using = f"{name}::{_POSTGRES_CAST[kind]}" if kind in _POSTGRES_CAST else None
                    batch_op.alter_column(name, existing_type=sa.Text(), type_=old, postgresql_using=using)


def _each_person(apply: Callable[[Any], dict[str, Any]]) -> None:
    """`apply(row)` gives the columns to set on each person with a name or a UPN."""
    connection = op.get_bind()
    named = sa.or_(PERSONS.c.given_name.is_not(None), PERSONS.c.family_name.is_not(None), PERSONS.c.upn.is_not(None))
    plain = (PERSONS.c.id, PERSONS.c.given_name, PERSONS.c.family_name, PERSONS.c.date_of_birth, PERSONS.c.upn)
    rows = connection.execute(sa.select(*plain).where(named)).all()
    for row in rows:
        connection.execute(sa.update(PERSONS).where(PERSONS.c.id == row.id).values(apply(row)))


def _hash_keys(ring: Callable[[], KeyRing]) -> Callable[[Any], dict[str, Any]]:
    from services.police_api.persons.service import name_dob_key, upn_key

    def apply(row: Any) -> dict[str, Any]:
        born = date.fromisoformat(row.date_of_birth[:10]) if row.date_of_birth else None
        return {"upn_key": upn_key(row.upn, ring()), "name_dob_key": name_dob_key(row.given_name, row.family_name, born, ring())}

    return apply


def _name_key(row: Any) -> dict[str, Any]:
    from services.police_api.persons.service import name_key

    return {"name_key": name_key(row.given_name, row.family_name)}


def upgrade() -> None:
    ring = _ring()
    _change_types(upgrading=True)
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_dob_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('upn_key', sa.String(length=64), nullable=True))
    _each_person(_hash_keys(ring))
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_force_name_dob'))
        batch_op.create_index('ix_persons_force_name_dob', ['force_code', 'name_dob_key'], unique=False)
        batch_op.drop_index(batch_op.f('ix_persons_force_upn'))
        batch_op.create_index('ix_persons_force_upn', ['force_code', 'upn_key'], unique=False)
        batch_op.drop_column('name_key')
    encrypt_existing_rows(op.get_bind(), KINDS, ring)


def downgrade() -> None:
    decrypt_existing_rows(op.get_bind(), KINDS, _ring())
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.VARCHAR(length=210), nullable=True))
        batch_op.drop_index('ix_persons_force_upn')
        batch_op.drop_index('ix_persons_force_name_dob')
        batch_op.drop_column('upn_key')
        batch_op.drop_column('name_dob_key')
    _each_person(_name_key)
    _change_types(upgrading=False)
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_force_upn'), ['force_code', 'upn'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_force_name_dob'), ['force_code', 'name_key', 'date_of_birth'], unique=False)
