"""The audit trail. Every mutation calls `record` in its own transaction, so an event exists
exactly when its change was committed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, not_, or_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Actor, Principal
from app.event.models import Event
from app.event.repository import EventRepository
from app.kit.context import request_id_var
from app.kit.models import Base
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort

S = TypeVar("S", bound=Select[*tuple[Any, ...]])
NEWEST_FIRST = Sort("-created", Event.id, Event.id, descending=True)

# What makes a record office-only, as its snapshot says it: a note's `visibility` and an
# attachment's `visible_to_field` (seed 002). Any record with such a column follows the rule.
OFFICE_ONLY_SNAPSHOTS: tuple[dict[str, Any], ...] = (
    {"visibility": "office"},
    {"visible_to_field": False},
)


def _json_safe(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def snapshot(entity: Base, **extra: Any) -> dict[str, Any]:
    """The row's columns as JSON, without secrets (columns marked `info={"secret": True}`)."""
    mapper = sa_inspect(type(entity))
    data = {
        column.key: _json_safe(getattr(entity, column.key))
        for column in mapper.column_attrs
        if not column.columns[0].info.get("secret")
    }
    data.update({k: _json_safe(v) for k, v in extra.items()})
    return data


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: Base,
    *,
    before: dict[str, Any] | None = None,
    deleted: bool = False,
    parent: Base | None = None,
    entity_id: uuid.UUID | None = None,
    **extra: Any,
) -> None:
    """Add the event `<table>.<action>` for `entity` to the current transaction (flushed with
    it, never alone). `after` is the entity's snapshot now (plus `extra`), or None when
    `deleted`; `before` is the snapshot the caller took before changing it. `parent` puts
    the event on that record's timeline too (a contact's event on its customer's).
    `entity_id` names a row that has no `id` of its own (an order's assignee, keyed by its
    user within the order)."""
    entity_type = entity.__table__.name  # type: ignore[attr-defined]
    session.add(
        Event(
            company_id=actor.company_id,
            type=f"{entity_type}.{action}",
            entity_type=entity_type,
            entity_id=entity_id or entity.id,  # type: ignore[attr-defined]
            parent_type=None if parent is None else parent.__table__.name,  # type: ignore[attr-defined]
            parent_id=None if parent is None else parent.id,  # type: ignore[attr-defined]
            actor_user_id=actor.user_id,
            actor_api_key_id=actor.api_key_id,
            request_id=request_id_var.get(),
            before=before,
            after=None if deleted else snapshot(entity, **extra),
        )
    )


def _office_only() -> ColumnElement[bool]:
    """Events that show an office-only record, now or before the change (a note made
    `site` later still said office-only things in its earlier events)."""
    # IS TRUE: a missing snapshot (null `before` of a creation) says nothing either way.
    return or_(
        *(
            column.contains(snapshot).is_(True)
            for snapshot in OFFICE_ONLY_SNAPSHOTS
            for column in (Event.after, Event.before)
        )
    )


def visible(stmt: S, principal: Principal) -> S:
    """`stmt` without the events a caller lacking `customers:office` may not see (every
    reader of events: the audit log, timelines, the change feed)."""
    if permissions.allows(principal, permissions.CUSTOMERS_OFFICE):
        return stmt
    return stmt.where(not_(_office_only()))


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    entity_type: str | None,
    entity_id: uuid.UUID | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Event]:
    """Newest first; filtered by entity when asked. Without `customers:office`, the events
    of office notes and non-field attachments are left out."""
    repository = EventRepository(session, principal.company_id)
    stmt = visible(repository.select(), principal)
    if entity_type is not None:
        stmt = stmt.where(Event.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(Event.entity_id == entity_id)
    return await repository.page(stmt, sort=NEWEST_FIRST, params=params, codec=codec)


async def timeline(
    session: AsyncSession,
    principal: Principal,
    entity_type: str,
    entity_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Event]:
    """A record's activity, newest first: its own events and its children's (those recorded
    with it as their parent); without `customers:office`, not those of office notes and
    non-field attachments."""
    repository = EventRepository(session, principal.company_id)
    stmt = visible(repository.select(), principal).where(
        or_(
            (Event.entity_type == entity_type) & (Event.entity_id == entity_id),
            (Event.parent_type == entity_type) & (Event.parent_id == entity_id),
        )
    )
    return await repository.page(stmt, sort=NEWEST_FIRST, params=params, codec=codec)
