"""Marking every status-changing write in its report's feed, reading the feed, and waiting on it.

What the school may know of a report (`ReportStatus`) is computed from its incident, its crimes and its
PPU notifications. So a write to any of those rows marks the report, whatever service function made it:
a flush listener collects the incidents touched, and a step run before the request commits gives each of
their reports the next position in its client's feed. A route that forgets nothing cannot miss a change,
and a new status-changing write added later is marked without anyone remembering to.
Over-marking (a PPU acknowledgement changes nothing the school sees) costs the follower one read.
"""
from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, event, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.police_api.crimes.models import Crime
from services.police_api.feed.models import StatusChange, StatusFeedCounter
from services.police_api.feed.schemas import StatusChangeOut, StatusFeedPage
from services.police_api.incidents.models import PoliceIncident
from services.police_api.ppu.models import PPUNotification
from services.police_api.reports import service as reports
from services.police_api.reports.models import SchoolReport
from shared.clock import Clock
from shared.context import Context, Runtime
from shared.counters import next_number
from shared.db import before_commit, insert_as_built, on_commit
from shared.notify import notify
from shared.problems import MalformedRequest

CHANGED_CHANNEL = "police_status_changed"
TOUCHED = "status_touched_incidents"
# The longest a follower may hold a request open: under the 60 s idle timeout of most proxies.
MAX_WAIT_SECONDS = 55.0
FEED_CLOCK = "clock"
FEED_WAITERS = "feed_waiters"


class FeedWaiters:
    """The long polls waiting in this process, by client; woken on commit here or by NOTIFY from elsewhere."""

    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = defaultdict(set)

    def wake(self, client_ids: Iterable[str]) -> None:
        for client_id in client_ids:
            for waiter in self._waiting.get(client_id, ()):
                waiter.set()

    def wake_all(self) -> None:
        for waiters in self._waiting.values():
            for waiter in waiters:
                waiter.set()

    def register(self, client_id: str) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiting[client_id].add(waiter)
        return waiter

    def unregister(self, client_id: str, waiter: asyncio.Event) -> None:
        waiters = self._waiting.get(client_id)
        if waiters is not None:
            waiters.discard(waiter)
            if not waiters:
                del self._waiting[client_id]


def _incident_of(record: Any) -> uuid.UUID | None:
    if isinstance(record, PoliceIncident):
        return record.id
    if isinstance(record, (Crime, PPUNotification)):
        return record.incident_id
    return None


def _collect_touched_incidents(session: Any, _flush_context: Any) -> None:
    touched = {incident for record in chain(session.new, session.dirty, session.deleted) if (incident := _incident_of(record))}
    if touched:
        session.info.setdefault(TOUCHED, set()).update(touched)
        before_commit(session, mark_status_changes)


def install_status_marking(session_class: type[Any]) -> None:
    """Once per session class, however many apps a process creates."""
    if not event.contains(session_class, "after_flush", _collect_touched_incidents):
        event.listen(session_class, "after_flush", _collect_touched_incidents)


async def mark_status_changes(session: AsyncSession) -> None:
    incident_ids = session.info.pop(TOUCHED, set())
    if not incident_ids:
        return
    now = (session.info.get(FEED_CLOCK) or Clock()).now()
    reports_touched = (
        await session.execute(
            select(SchoolReport.id, SchoolReport.client_id, SchoolReport.force_code)
            .where(SchoolReport.police_incident_id.in_(incident_ids))
            .order_by(SchoolReport.client_id, SchoolReport.id)  # one order of counter locks for every writer
        )
    ).all()
    clients = sorted({client_id for _, client_id, _ in reports_touched})
    for report_id, client_id, force_code in reports_touched:
        position = await next_number(session, StatusFeedCounter, client_id=client_id)
        # One Core INSERT (the tenant guard's write check included), not a unit of work of its own at the
        # request's last flush: every intake and status change writes one.
        await insert_as_built(
            session,
            StatusChange(
                id=uuid.uuid4(), force_code=force_code, client_id=client_id, position=position, report_id=report_id, changed_at=now
            ),
        )
    for client_id in clients:
        await notify(session, CHANGED_CHANNEL, client_id)
    waiters: FeedWaiters | None = session.info.get(FEED_WAITERS)
    if waiters is not None:
        on_commit(session, lambda: waiters.wake(clients))


def change_of_new_report(session: AsyncSession, report: SchoolReport) -> StatusChange:
    """The first change in the feed of a report that this transaction creates (intake), for the caller to
    write with the report's rows (no flush sees them to mark it): every column set but its position, the next
    of the client's feed counter, taken as the row is written (`numbered_change`). The client's followers in
    this process are woken once the transaction commits; those of other processes by the NOTIFY on
    CHANGED_CHANNEL that the caller sends with the row (PostgreSQL)."""
    change = StatusChange(
        id=uuid.uuid4(),
        force_code=report.force_code,
        client_id=report.client_id,
        report_id=report.id,
        changed_at=(session.info.get(FEED_CLOCK) or Clock()).now(),
    )
    waiters: FeedWaiters | None = session.info.get(FEED_WAITERS)
    if waiters is not None:
        on_commit(session, lambda: waiters.wake([report.client_id]))
    return change


def numbered_change(after: Any) -> Any:
    """PostgreSQL, for a WITH clause: the insert of a `change_of_new_report` row numbered from its client's
    feed counter (parameters `change_<column>`), run once the statement `after` (a CTE of the same statement)
    has, so that the counter's row lock is taken after the locks `after` takes, in the order every writer
    takes them in (the force's incident counter, the feed counters, the audit chain). Returns the position."""
    counters, changes = StatusFeedCounter.__table__, StatusChange.__table__
    client_id = bindparam("change_client_id", type_=changes.c.client_id.type)
    taken = (
        postgresql_insert(counters)
        .from_select(["client_id", "last_number"], select(client_id, literal(1)).select_from(after))
        .on_conflict_do_update(index_elements=[counters.c.client_id], set_={"last_number": counters.c.last_number + 1})
        .returning(counters.c.last_number)
        .cte("feed_position")
    )
    columns = [column for column in changes.columns if column.key != "position"]
    values = [bindparam(f"change_{column.key}", type_=column.type) for column in columns]
    return (
        insert(changes)
        .from_select([*(column.key for column in columns), "position"], select(*values, taken.c.last_number).select_from(taken))
        .returning(changes.c.position)
    )


def parse_cursor(cursor: str | None) -> int:
    """The feed position after which to read: a `next_cursor` or an item's `position`; none is the start."""
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 12:
        raise MalformedRequest("The cursor is not one this service issued.")
    return int(cursor)


async def _has_changes_after(runtime: Runtime, tenant: str, client_id: str, after: int) -> bool:
    async with runtime.session(tenant) as session:
        found = await session.scalar(
            select(StatusChange.position).where(StatusChange.client_id == client_id, StatusChange.position > after).limit(1)
        )
    return found is not None


async def wait_for_changes(
    runtime: Runtime, waiters: FeedWaiters, *, tenant: str, client_id: str, after: int, wait_seconds: float,
    client_gone: Awaitable[None],
) -> bool:
    """Return as soon as the client's feed has a change after `after`, or after `wait_seconds`; False,
    at once, if the client hangs up first (`client_gone` completes), so that nothing is read for nobody.

    Looks at the database when it starts and each time it is woken, never on a timer: a commit in this
    process wakes it directly, one in another process through NOTIFY, and a listener that (re)starts wakes
    every waiter, so a notification lost while it was down is looked for then. Holds no database
    connection while it waits (each look is its own short session), so thousands of followers can wait
    on a pool of twenty. (SQLite has no NOTIFY: a write by another process is found by the next long poll.)
    A follower that stopped or restarted frees its wait at once rather than after up to MAX_WAIT_SECONDS,
    and the server's graceful stop does not wait on it.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait_seconds, MAX_WAIT_SECONDS)
    gone = asyncio.ensure_future(client_gone)
    try:
        while True:
            # Registered before the look, so a change committed between the look and the wait still wakes it.
            waiter = waiters.register(client_id)
            try:
                if await _has_changes_after(runtime, tenant, client_id, after):
                    return True
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return True
                woken = asyncio.ensure_future(waiter.wait())
                try:
                    ended, _ = await asyncio.wait({woken, gone}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    woken.cancel()
                if gone in ended:
                    return False
                if woken not in ended:
                    return True  # the wait ran out with no change
            finally:
                waiters.unregister(client_id, waiter)
    finally:
        gone.cancel()


async def changes_after(ctx: Context, *, after: int, limit: int) -> StatusFeedPage:
    """The client's changes after `after`, oldest first, each with its report's current status (read once
    per report however often the page names it)."""
    rows = (
        await ctx.session.execute(
            select(StatusChange.position, StatusChange.report_id, StatusChange.changed_at)
            .where(StatusChange.client_id == ctx.actor.subject, StatusChange.position > after)
            .order_by(StatusChange.position)
            .limit(limit + 1)
        )
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    statuses = {}
    shown: list[tuple[str, uuid.UUID]] = []
    for report_id in dict.fromkeys(row.report_id for row in rows):
        statuses[report_id], read_from = await reports.status_of(ctx, report_id)
        shown += read_from
    ctx.audit.list_page("status_change.list", reports.RECORD, shown)
    items = [
        StatusChangeOut(position=position, report_id=report_id, changed_at=changed_at, status=statuses[report_id])
        for position, report_id, changed_at in rows
    ]
    return StatusFeedPage(items=items, next_cursor=str(rows[-1].position) if more else None)
