from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select

from app.kit.repository import ChildRepository, company_param, parent_param
from app.kit.statements import Prepared
from app.order.line.models import OrderLine

# What a line's read schema shows (app.order.line.schemas.OrderLineRead).
READ_COLUMNS = (
    "id",
    "order_id",
    "position",
    "invoice_item_id",
    "sku",
    "name",
    "description",
    "quantity",
    "unit_amount",
    "line_total",
    "created_at",
    "updated_at",
)


@cache
def rows_statement() -> Prepared:
    """The order's lines by position, as their read schema's columns: value `limit`."""
    return Prepared.of(
        select(*(getattr(OrderLine, name) for name in READ_COLUMNS))
        .where(OrderLine.company_id == company_param(), OrderLine.order_id == parent_param())
        .order_by(OrderLine.position, OrderLine.id)
        .limit(bindparam("limit"))
    )


class OrderLineRepository(ChildRepository[OrderLine]):
    """The lines of one order (a line id under another order is as missing as one of
    another company)."""

    model = OrderLine
    label = "Line item"
    parent_key = "order_id"

    def _mine(self) -> tuple[ColumnElement[bool], ...]:
        return (OrderLine.company_id == self.company_id, OrderLine.order_id == self.parent_id)

    async def rows(self, limit: int) -> Sequence[Any]:
        """The first `limit` lines by position, as rows of their read schema's columns."""
        return await self.fetch(rows_statement(), limit=limit)

    async def in_order(self, limit: int) -> list[OrderLine]:
        stmt = (
            select(OrderLine)
            .where(*self._mine())
            .order_by(OrderLine.position, OrderLine.id)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def count_and_last_position(self) -> tuple[int, int]:
        """How many lines the order has, and the highest position (0 when none)."""
        stmt = select(func.count(), func.coalesce(func.max(OrderLine.position), 0)).where(
            *self._mine()
        )
        count, last = (await self.session.execute(stmt)).one()
        return int(count), int(last)
