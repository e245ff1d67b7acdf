"""The invoice item catalog (seed 000): SKU, name and unit amount of what the company sells.
Order lines copy an item's SKU, name and unit amount when added, so editing or archiving an
item never rewrites an old order; an item that lines came from is archived, not deleted."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.invoice_item.models import InvoiceItem
from app.invoice_item.repository import InvoiceItemRepository
from app.invoice_item.schemas import InvoiceItemCreate, InvoiceItemUpdate
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort

SORTS = {
    "sku": Sort("sku", InvoiceItem.sku, InvoiceItem.id),
    "-sku": Sort("-sku", InvoiceItem.sku, InvoiceItem.id, descending=True),
    "name": Sort("name", InvoiceItem.name, InvoiceItem.id),
    "-name": Sort("-name", InvoiceItem.name, InvoiceItem.id, descending=True),
}
DUPLICATE = "An invoice item with this SKU already exists."
# Columns a create or PATCH writes as given.
_PLAIN_FIELDS = ("sku", "name", "description", "unit_amount", "is_archived")


def _like_pattern(text: str) -> str:
    """`text` as a literal substring for ILIKE ... ESCAPE '\\'."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_items(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    archived: bool,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[InvoiceItem]:
    """The catalog's active items (or only the archived ones); `q` keeps those whose SKU or
    name contains it, ignoring case."""
    repository = InvoiceItemRepository(session, principal.company_id)
    stmt = repository.select().where(InvoiceItem.is_archived == archived)
    if q:
        pattern = _like_pattern(q)
        stmt = stmt.where(
            or_(
                InvoiceItem.sku.ilike(pattern, escape="\\"),
                InvoiceItem.name.ilike(pattern, escape="\\"),
            )
        )
    return await repository.page(stmt, sort=SORTS[sort], params=params, codec=codec)


async def get_item(session: AsyncSession, principal: Principal, item_id: uuid.UUID) -> InvoiceItem:
    return await InvoiceItemRepository(session, principal.company_id).get_or_404(item_id)


async def require_active_item(
    session: AsyncSession, company_id: uuid.UUID, item_id: uuid.UUID
) -> InvoiceItem:
    """The company's item with this id, to add to an order; 422 naming `invoice_item_id`
    when there is none (another company's id included) or it is archived."""
    item = await InvoiceItemRepository(session, company_id).get(item_id)
    if item is None:
        raise ValidationFailed.field("invoice_item_id", f"unknown invoice item {item_id}")
    if item.is_archived:
        raise ValidationFailed.field(
            "invoice_item_id", f"invoice item {item.sku} is archived and cannot be added"
        )
    return item


async def create_item(
    session: AsyncSession, principal: Principal, body: InvoiceItemCreate
) -> InvoiceItem:
    """Add an item to the catalog; a taken SKU is a 409 naming `sku`."""
    repository = InvoiceItemRepository(session, principal.company_id)
    if await repository.sku_taken(body.sku):
        raise Conflict(DUPLICATE, field="sku")
    item = repository.add(
        InvoiceItem(
            sku=body.sku,
            name=body.name,
            description=body.description,
            unit_amount=body.unit_amount,
            is_archived=False,
        )
    )
    await session.flush()
    events.record(session, principal, "created", item)
    return item


async def update_item(
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    body: InvoiceItemUpdate,
    *,
    expected_version: int | None,
) -> InvoiceItem:
    """Change an item, archive it (`is_archived: true`) or bring it back; locked, 412 on a
    stale If-Match, 409 naming `sku` on a taken SKU. Orders keep what they copied."""
    repository = InvoiceItemRepository(session, principal.company_id)
    item = await repository.get_or_404(item_id, for_update=True)
    check_version(item.version, expected_version)
    before = events.snapshot(item)
    changes = body.changes()
    if "sku" in changes and await repository.sku_taken(changes["sku"], except_id=item.id):
        raise Conflict(DUPLICATE, field="sku")
    for name in _PLAIN_FIELDS:
        if name in changes:
            setattr(item, name, changes[name])
    await session.flush()
    events.record(session, principal, "updated", item, before=before)
    return item


async def delete_item(
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete an item no order line came from; otherwise a 409 saying to archive it. The
    item row is locked, so a line being added from it meanwhile is either counted or
    refused by its foreign key."""
    repository = InvoiceItemRepository(session, principal.company_id)
    item = await repository.get_or_404(item_id, for_update=True)
    check_version(item.version, expected_version)
    in_use = await repository.lines_using(item.id)
    if in_use:
        raise Conflict(
            f"{in_use} order line(s) were added from this item: archive it instead "
            "(`is_archived: true`), so those orders keep their history.",
            lines_count=in_use,
        )
    before = events.snapshot(item)
    await repository.delete(item)
    await session.flush()
    events.record(session, principal, "deleted", item, before=before, deleted=True)
