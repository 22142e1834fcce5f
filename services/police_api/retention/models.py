"""Legal holds and the record of each disposal (docs/retention.md), in the force's own metadata.

The columns both services share are shared/retention/models.py; here are the police's: the force code,
the key to its incidents and the MoPI groups of its schedule.
"""
from __future__ import annotations

import uuid

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from services.police_api.rules.retention import PoliceRecordType, RetentionAction
from shared.retention.models import DisposalColumns, LegalHoldColumns


class LegalHold(ForceScoped, LegalHoldColumns, Base):
    """A hold placed on an incident's records by the crime registrar or a supervisor: while it stands
    nothing is disposed of."""

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"))


class Disposal(ForceScoped, DisposalColumns, Base):
    """That an incident's records were disposed of (shared/retention/models.py), under MoPI."""

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("police_incidents.id"))
    record_type: Mapped[PoliceRecordType] = mapped_column(Enum(PoliceRecordType, native_enum=False, length=40))
    action: Mapped[RetentionAction] = mapped_column(Enum(RetentionAction, native_enum=False, length=20))
