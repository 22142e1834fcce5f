"""Tenant isolation in the query layer, so that a route that forgets a check cannot leak.

Every tenant-owned model carries its tenant column (a school URN or a force code). Each
service's Session class gets `install_tenant_guard`, which
- adds `tenant_column == session tenant` to every ORM SELECT, UPDATE and DELETE touching such a
  model (SQLAlchemy's `with_loader_criteria`, the documented multi-tenant recipe), and
- refuses to flush a new or changed row into another tenant.
A session with no tenant set refuses to query tenant-owned models at all (fail closed);
background jobs and admin commands state `ALL_TENANTS` explicitly.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

TENANT_KEY = "tenant"


class _AllTenants:
    def __repr__(self) -> str:
        return "ALL_TENANTS"


ALL_TENANTS = _AllTenants()


class TenantScopeMissing(RuntimeError):
    """A query on tenant-owned data ran in a session that never said whose data it may see."""


def set_tenant(session: Any, tenant: str | _AllTenants) -> None:
    session.info[TENANT_KEY] = tenant


TenantCriteria = Callable[[str], Callable[[Any], ColumnElement[bool]]]


def install_tenant_guard(
    session_class: type[Session], scoped_base: type, column_name: str, criteria: TenantCriteria
) -> None:
    """`criteria(tenant)` returns the lambda for `with_loader_criteria`; it is written in each
    service as `lambda tenant: lambda cls: cls.<column> == tenant` because SQLAlchemy's lambda
    analysis must see the column as a plain attribute and the tenant as a tracked bound value."""

    @event.listens_for(session_class, "do_orm_execute")
    def _scope_queries(state: ORMExecuteState) -> None:
        if state.is_column_load or state.is_relationship_load:
            return
        if not (state.is_select or state.is_update or state.is_delete):
            return
        if not any(_is_scoped(mapper.class_, scoped_base) for mapper in state.all_mappers) and not _reads_scoped_table(
            state.statement, scoped_base
        ):
            return
        tenant = state.session.info.get(TENANT_KEY)
        if tenant is None:
            raise TenantScopeMissing("tenant scope not set on session")
        if tenant is ALL_TENANTS:
            return
        state.statement = state.statement.options(
            with_loader_criteria(scoped_base, criteria(tenant), include_aliases=True, track_closure_variables=True)
        )

    session_class.tenant_guard = (scoped_base, column_name)  # type: ignore[attr-defined]

    @event.listens_for(session_class, "before_flush")
    def _refuse_foreign_writes(session: Session, _context: Any, _instances: Any) -> None:
        for obj in list(session.new) + list(session.dirty):
            refuse_foreign_write(session, obj)


def refuse_foreign_write(session: Session, obj: Any) -> None:
    """Raise unless `obj` belongs to the session's tenant (or the session may write for all)."""
    guard = getattr(type(session), "tenant_guard", None)
    if guard is None:
        raise TenantScopeMissing(f"{type(session).__name__} has no tenant guard; refusing to write without one")
    scoped_base, column_name = guard
    tenant = session.info.get(TENANT_KEY)
    if tenant is ALL_TENANTS or not _is_scoped(type(obj), scoped_base):
        return
    if tenant is None:
        raise TenantScopeMissing("tenant scope not set on session")
    if getattr(obj, column_name) != tenant:
        raise TenantScopeMissing("refused to write a row into another tenant")


def _reads_scoped_table(statement: Any, scoped_base: type) -> bool:
    """Whether a statement with no tenant-owned ORM entity still reads a tenant-owned table, as
    `select(func.count()).select_from(Model)` and `select(exists().where(Model.id == x))` do."""
    tables = set(find_tables(statement, check_columns=True, include_aliases=True, include_joins=True))
    return any(getattr(cls, "__table__", None) in tables for cls in _scoped_classes(scoped_base))


def _scoped_classes(scoped_base: type) -> list[type]:
    found, pending = [], list(scoped_base.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _is_scoped(cls: type, scoped_base: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, scoped_base)
