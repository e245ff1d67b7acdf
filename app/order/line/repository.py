from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from app.kit.repository import ChildRepository
from app.order.line.models import OrderLine


class OrderLineRepository(ChildRepository[OrderLine]):
    """The lines of one order (a line id under another order is as missing as one of
    another company)."""

    model = OrderLine
    label = "Line item"
    parent_key = "order_id"

    def _mine(self) -> tuple[ColumnElement[bool], ...]:
        return (OrderLine.company_id == self.company_id, OrderLine.order_id == self.parent_id)

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
