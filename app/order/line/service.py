"""Line items of an order: from the catalog (SKU, name, description and unit amount copied
when added, so later catalog edits never rewrite an old order) or ad hoc.

Every change takes the order's row lock first and recomputes the order's totals after
(app.order.money), in the same transaction: the stored totals always agree with the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import FieldError, ValidationFailed
from app.event import service as events
from app.invoice_item import service as invoice_items
from app.kit.concurrency import check_version
from app.order import money
from app.order.line.models import OrderLine
from app.order.line.repository import OrderLineRepository
from app.order.line.schemas import OrderLineCreate, OrderLineUpdate
from app.order.models import Order
from app.order.repository import OrderRepository

MAX_LINES = 500
# 500 lines of at most this still add up inside a BIGINT.
MAX_LINE_TOTAL = 10**16


async def list_lines(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> Sequence[OrderLine]:
    """All the order's lines, by position (an order has at most MAX_LINES); 404 when the
    order is not the company's."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return await OrderLineRepository(session, principal.company_id, order.id).in_order(MAX_LINES)


async def get_line(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, line_id: uuid.UUID
) -> OrderLine:
    """One line of the order; 404 for a line of another order."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return await OrderLineRepository(session, principal.company_id, order.id).get_or_404(line_id)


async def _new_line(
    session: AsyncSession, company_id: uuid.UUID, body: OrderLineCreate
) -> OrderLine:
    """The line the body describes: the catalog item's values, overridden by those sent."""
    if body.invoice_item_id is not None:
        item = await invoice_items.require_active_item(session, company_id, body.invoice_item_id)
        return OrderLine(
            invoice_item_id=item.id,
            sku=item.sku,
            name=item.name if body.name is None else body.name,
            description=item.description if body.description is None else body.description,
            unit_amount=item.unit_amount if body.unit_amount is None else body.unit_amount,
        )
    if body.name is None or body.unit_amount is None:
        raise ValidationFailed(
            [
                FieldError(name, "is required for a line not from the catalog (`invoice_item_id`)")
                for name in ("name", "unit_amount")
                if getattr(body, name) is None
            ]
        )
    return OrderLine(name=body.name, description=body.description, unit_amount=body.unit_amount)


async def create_line(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: OrderLineCreate
) -> OrderLine:
    """Add a line at the end of the order, under the order's lock, and recompute its totals.
    Refuses (422) an unknown or archived catalog item and a 501st line."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    repository = OrderLineRepository(session, principal.company_id, order.id)
    count, last = await repository.count_and_last_position()
    if count >= MAX_LINES:
        raise ValidationFailed.field(
            "order_id", f"the order already has {MAX_LINES} lines, the most it can have", "path"
        )
    line = await _new_line(session, principal.company_id, body)
    line.position = last + 1
    line.quantity = body.quantity
    line.line_total = _line_total(line, "quantity")
    repository.add(line)
    await session.flush()
    await money.refresh_totals(session, order, field="quantity")
    events.record(session, principal, "created", line, parent=order)
    return line


def _line_total(line: OrderLine, field: str) -> int:
    total = money.line_total(line.quantity, line.unit_amount)
    if total > MAX_LINE_TOTAL:
        raise ValidationFailed.field(field, f"makes a line total above {MAX_LINE_TOTAL}")
    return total


async def update_line(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    body: OrderLineUpdate,
    *,
    expected_version: int | None,
) -> OrderLine:
    """Change name, description, quantity or unit amount under the order's lock; 412 when
    stale, 422 naming the field when the new total would be below what was already paid."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    line = await OrderLineRepository(session, principal.company_id, order.id).get_or_404(line_id)
    check_version(line.version, expected_version)
    before = events.snapshot(line)
    changes = body.changes()
    for name in ("name", "description", "quantity", "unit_amount"):
        if name in changes:
            setattr(line, name, changes[name])
    field = "unit_amount" if "unit_amount" in changes else "quantity"
    line.line_total = _line_total(line, field)
    await session.flush()
    await money.refresh_totals(session, order, field=field)
    events.record(session, principal, "updated", line, before=before, parent=order)
    return line


async def delete_line(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Remove a line under the order's lock; 422 when the order would then owe less than
    was already paid (delete a payment first)."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    repository = OrderLineRepository(session, principal.company_id, order.id)
    line = await repository.get_or_404(line_id)
    check_version(line.version, expected_version)
    before = events.snapshot(line)
    await repository.delete(line)
    await _refresh_after_removal(session, order)
    events.record(session, principal, "deleted", line, before=before, deleted=True, parent=order)


async def _refresh_after_removal(session: AsyncSession, order: Order) -> None:
    try:
        await money.refresh_totals(session, order, field="line_id")
    except ValidationFailed as exc:
        # There is no body to point at: the line named in the path is the offender.
        raise ValidationFailed.field("line_id", exc.errors[0].message, "path") from None
