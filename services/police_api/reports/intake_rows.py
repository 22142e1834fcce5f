"""Writing what an intake creates: on PostgreSQL in one statement, the request's last, which numbers the incident.

An intake creates a police incident, the school's report, the persons the force's index did not hold, their
links to the incident, the PPU's notifications of the children and the report's first change in its client's
status feed. The incident's reference comes from the force's counter, whose row every intake of the force
queues on until its transaction ends; taken first, it was held across every other statement of the request.
So the statement that writes the rows takes the number (as opening a school incident does, see
`shared.counters.insert_numbered`), then the feed's position, appends the request's audit rows, sends the
feed's NOTIFY and stores the receipt as the answer of the intake's Idempotency-Key: the counter row is held
for one statement and the commit, and the rows cost one round trip and no unit of work. The statement fails
or succeeds whole, so no "allowed" audit row exists without them.

Changes to persons the index already held (found again, their gaps filled) are the ORM's, flushed first.
SQLite (one writer) takes the numbers and inserts the rows one by one, and the audit rows follow at the end
of the request as usual.
"""
from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, literal, select, true

from services.police_api.feed import service as feed
from services.police_api.feed.models import StatusChange, StatusFeedCounter
from services.police_api.incidents import service as incidents
from services.police_api.incidents.models import ForceCounter, PoliceIncident
from services.police_api.persons.models import Person, PersonLink
from services.police_api.ppu.models import PPUNotification
from services.police_api.reports import idempotency
from services.police_api.reports.models import SchoolReport
from services.police_api.reports.schemas import SchoolReportReceipt
from shared.audit import AUDIT_APPEND_CALL, audit_append_parameters, pending_rows
from shared.context import Context
from shared.counters import next_number, numbered_insert, numbered_insert_parameters
from shared.db import built_values, insert_as_built
from shared.tenancy import refuse_foreign_write


@dataclass
class IntakeRows:
    """The records one intake creates, every column set but the incident's reference and the feed position."""

    incident: PoliceIncident
    report: SchoolReport
    persons: list[Person] = field(default_factory=list)
    links: list[PersonLink] = field(default_factory=list)
    notifications: list[PPUNotification] = field(default_factory=list)

    def beside_the_incident(self) -> list[list[Any]]:
        """The other records, by table, in the order their foreign keys need (as `_ALONGSIDE`)."""
        return [[self.report], self.persons, self.links, self.notifications]


# The tables of `IntakeRows.beside_the_incident`, in its order.
_ALONGSIDE = (SchoolReport, Person, PersonLink, PPUNotification)


def receipt(report: SchoolReport, incident: PoliceIncident) -> SchoolReportReceipt:
    """The answer to the intake, stored for its Idempotency-Key's repeats."""
    return _receipt(report, incident, incident.reference)


def _receipt(report: SchoolReport, incident: PoliceIncident, reference: str) -> SchoolReportReceipt:
    return SchoolReportReceipt(id=report.id, police_reference=reference, police_incident_id=incident.id, received_at=report.received_at)


# Where the receipt stored by the statement holds the reference the statement takes (see `write`).
_REFERENCE_TAKEN = "\x00the police reference\x00"


async def write(ctx: Context, rows: IntakeRows, *, answering: uuid.UUID) -> None:
    """Write the intake's records, the report's first change in its client's feed and the receipt as the
    answer of the Idempotency-Key claim `answering`: the request's last write."""
    session = ctx.session
    change = feed.change_of_new_report(session, rows.report)
    beside = rows.beside_the_incident()
    # Nothing read or written before it (no person looked for): the statement is the whole transaction,
    # sent without BEGIN and COMMIT, as `shared.counters.insert_numbered` does.
    alone = not session.in_transaction() and not (session.new or session.dirty or session.deleted)
    await session.flush()  # the persons found again: the request's earlier writes before its audit rows
    if session.bind is None or session.bind.dialect.name != "postgresql":
        number = await next_number(session, ForceCounter, **incidents.reference_counter(ctx))
        rows.incident.reference = incidents.reference_format(ctx).format(number)
        for record in (rows.incident, *(record for records in beside for record in records)):
            await insert_as_built(session, record)
        change.position = await next_number(session, StatusFeedCounter, client_id=change.client_id)
        await insert_as_built(session, change)
        await idempotency.complete(session, answering, 201, receipt(rows.report, rows.incident).model_dump(mode="json"))
        return
    for record in (rows.incident, *(record for records in beside for record in records), change):
        refuse_foreign_write(session.sync_session, record)
    parameters = numbered_insert_parameters(
        rows.incident, incidents.reference_counter(ctx), "reference", incidents.reference_format(ctx)
    )
    for model, records in zip(_ALONGSIDE, beside, strict=True):
        prefix = model.__tablename__
        for index, record in enumerate(records):
            parameters |= {f"{prefix}_{index}_{key}": value for key, value in built_values(record).items()}
    parameters |= {f"change_{key}": value for key, value in built_values(change, left_to_the_database="position").items()}
    parameters |= idempotency.completion_parameters(
        answering, 201, _receipt(rows.report, rows.incident, _REFERENCE_TAKEN).model_dump(mode="json"),
        made_by_the_statement=_REFERENCE_TAKEN,
    )
    parameters |= audit_append_parameters(pending_rows(ctx.audit, ctx.clock.now()))
    connection = await session.connection(execution_options=_ITS_OWN_TRANSACTION if alone else None)
    statement = _statement(tuple(len(records) for records in beside))
    rows.incident.reference = (await connection.execute(statement, parameters)).scalar_one()
    ctx.audit.events.clear()


_ITS_OWN_TRANSACTION = {"isolation_level": "AUTOCOMMIT"}


@functools.lru_cache(maxsize=64)
def _statement(counts: tuple[int, ...]) -> Any:
    """Built once per number of records of each table and kept: every value is a bound parameter, so SQLAlchemy
    compiles it once and a request pays neither the building nor the cache-key walk.

    The incident's insert numbers it; the feed's position is taken after it (`feed.numbered_change`), and the
    audit rows and the NOTIFY are evaluated once both have run: the counter, feed and chain locks in the
    order every writer takes them. The other inserts and the claim's completion (whose row this request
    claimed) reference nothing and run at the statement's end; the foreign keys are checked then, with every
    row of the statement in place."""
    incident = numbered_insert(inspect(PoliceIncident), ForceCounter, ("force_code", "year"), "reference").cte("incident")
    change = feed.numbered_change(incident).cte("change")
    completion = idempotency.completion_around(select(incident.c.reference).scalar_subquery()).cte("completion")
    # One insert per record: SQLAlchemy does not cache a statement with a multi-row VALUES.
    alongside = [
        insert(table)
        .values({column.key: bindparam(f"{table.name}_{index}_{column.key}", type_=column.type) for column in table.columns})
        .cte(f"new_{table.name}_{index}")
        for table, count in zip((model.__table__ for model in _ALONGSIDE), counts, strict=True)
        for index in range(count)
    ]
    notify = func.pg_notify(literal(feed.CHANGED_CHANNEL), bindparam("change_client_id", type_=StatusChange.__table__.c.client_id.type))
    return (
        select(incident.c.reference, AUDIT_APPEND_CALL, notify)
        .select_from(incident.join(change, true()))
        .add_cte(*alongside, completion)
    )
