"""The changes feed a school client follows instead of polling every open referral (issue 15)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.police_api.database import Base, ForceScoped
from shared.db import UTCDateTime, new_id


class StatusFeedCounter(Base):
    """The last position given out in each school client's feed."""

    __tablename__ = "status_feed_counters"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class StatusChange(ForceScoped, Base):
    """A report whose status a write changed, at a position in its client's feed.

    Positions come from the client's counter row, taken in the changing transaction: a second writer
    waits on that row until the first commits, so positions become visible in order and a follower that
    has read position N can never later find an N-1 it skipped.
    """

    __tablename__ = "status_changes"
    __table_args__ = (UniqueConstraint("client_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school_reports.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
