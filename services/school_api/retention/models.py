"""Legal holds and the record of each disposal (docs/retention.md), in the school's own metadata.

The columns both services share are shared/retention/models.py; here are the school's: its URN, the key
to its incidents and the record types of its schedule.
"""
from __future__ import annotations

import uuid

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from services.school_api.database import Base, SchoolScoped
from services.school_api.rules.retention import RetentionAction, SchoolRecordType
from shared.retention.models import DisposalColumns, LegalHoldColumns


class LegalHold(SchoolScoped, LegalHoldColumns, Base):
    """A hold placed on an incident's file by the DSL or the headteacher: while it stands nothing is disposed."""

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))


class Disposal(SchoolScoped, DisposalColumns, Base):
    """That an incident's file was disposed of (shared/retention/models.py), under the school's schedule."""

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    record_type: Mapped[SchoolRecordType] = mapped_column(Enum(SchoolRecordType, native_enum=False, length=40))
    action: Mapped[RetentionAction] = mapped_column(Enum(RetentionAction, native_enum=False, length=20))
