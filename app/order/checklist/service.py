"""The installer checklist of an order: items in order, ticked off on site. Ticking an item
records who ticked it and when; unticking clears both, so `done_by`/`done_at` always say
who finished it, never who once did."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.order.checklist.models import ChecklistItem
from app.order.checklist.repository import ChecklistItemRepository
from app.order.checklist.schemas import ChecklistItemCreate, ChecklistItemUpdate
from app.order.models import Order
from app.order.repository import OrderRepository

SORT = Sort("position", ChecklistItem.position, ChecklistItem.id)


async def _scope(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> tuple[Order, ChecklistItemRepository]:
    """The order (404 when it is not the company's) and a repository of its checklist."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return order, ChecklistItemRepository(session, principal.company_id, order.id)


def _set_done(item: ChecklistItem, is_done: bool, principal: Principal) -> None:
    """Ticking records the caller (an API key's creator) and now; ticking a ticked item
    again keeps who did it first; unticking clears both."""
    if is_done and not item.is_done:
        item.done_by = principal.user_id
        item.done_at = datetime.now(UTC)
    elif not is_done:
        item.done_by = None
        item.done_at = None
    item.is_done = is_done


async def list_items(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[ChecklistItem]:
    """The order's checklist by position."""
    _, repository = await _scope(session, principal, order_id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def create_item(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: ChecklistItemCreate
) -> ChecklistItem:
    """Add an item at the end of the checklist (possibly already ticked)."""
    order, repository = await _scope(session, principal, order_id)
    item = ChecklistItem(text=body.text, position=await repository.next_position())
    _set_done(item, body.is_done, principal)
    repository.add(item)
    await session.flush()
    events.record(session, principal, "created", item, parent=order)
    return item


async def update_item(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    item_id: uuid.UUID,
    body: ChecklistItemUpdate,
    *,
    expected_version: int | None,
) -> ChecklistItem:
    """Change the text or tick/untick the item. If-Match is checked on the locked row."""
    order, repository = await _scope(session, principal, order_id)
    item = await repository.get_or_404(item_id, for_update=True)
    check_version(item.version, expected_version)
    before = events.snapshot(item)
    changes = body.changes()
    if "text" in changes:
        item.text = changes["text"]
    if "is_done" in changes:
        _set_done(item, changes["is_done"], principal)
    await session.flush()
    events.record(session, principal, "updated", item, before=before, parent=order)
    return item


async def delete_item(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    order, repository = await _scope(session, principal, order_id)
    item = await repository.get_or_404(item_id, for_update=True)
    check_version(item.version, expected_version)
    before = events.snapshot(item)
    await repository.delete(item)
    await session.flush()
    events.record(session, principal, "deleted", item, before=before, deleted=True, parent=order)
