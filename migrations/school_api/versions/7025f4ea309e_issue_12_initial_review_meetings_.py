"""Issue 12: initial review meetings, children's accounts, deletion deadlines and removal outcomes in the action
log, S-FACTORS reasons on the decision.

The free text and names (what was decided, who attended, the child's account and wishes, who heard it, the
written factor reasons) are sealed per row (shared.encryption), so their columns are TEXT. The columns added to
tables with rows are nullable: no stored row has a value to seal.

Revision ID: 7025f4ea309e
Revises: 4b5509aa2f99
Create Date: 2026-12-03 15:57:07.316338
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '7025f4ea309e'
down_revision: str | None = '4b5509aa2f99'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('initial_reviews',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('held_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('decided', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('school_urn', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_initial_reviews_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initial_reviews'))
    )
    with op.batch_alter_table('initial_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initial_reviews_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initial_reviews_school_urn'), ['school_urn'], unique=False)

    op.create_table('child_accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('given_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('given', sa.Enum('in_person', 'in_writing', 'through_trusted_adult', name='accountgiven', native_enum=False, length=30), nullable=False),
    sa.Column('account', sa.Text(), nullable=True),
    sa.Column('wishes', sa.Text(), nullable=True),
    sa.Column('heard_by', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('school_urn', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_child_accounts_incident_id_incidents')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_child_accounts_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_accounts'))
    )
    with op.batch_alter_table('child_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_accounts_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_accounts_school_urn'), ['school_urn'], unique=False)

    with op.batch_alter_table('action_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Enum('submitted', 'removed', 'not_removed', 'declined_by_child', name='removaloutcome', native_enum=False, length=20), nullable=True))

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        # Decisions made before issue 12 had no factor reasons to record: they stay empty (NULL).
        batch_op.add_column(sa.Column('factor_reasons', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('factor_reasons')

    with op.batch_alter_table('action_entries', schema=None) as batch_op:
        batch_op.drop_column('outcome')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('child_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_accounts_school_urn'))
        batch_op.drop_index(batch_op.f('ix_child_accounts_incident_id'))

    op.drop_table('child_accounts')
    with op.batch_alter_table('initial_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initial_reviews_school_urn'))
        batch_op.drop_index(batch_op.f('ix_initial_reviews_incident_id'))

    op.drop_table('initial_reviews')
