from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.repository import TenantRepository
from app.order.models import Order, OrderFile, OrderLine, Payment
from app.order_status.models import OrderStatus


class OrderRepository(TenantRepository[Order]):
    model = Order
    label = "Order"

    async def lock(self, order_id: uuid.UUID) -> Order:
        """The order, row-locked until the transaction ends: every change to its lines,
        payments or invoice takes this lock first, so totals are computed one writer at a
        time (two payments posted at once queue instead of overpaying). 404 when missing."""
        return await self.get_or_404(order_id, for_update=True)


class OrderStatusLookup:
    """The company's statuses, read once per request (a company has a handful)."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def all(self) -> dict[uuid.UUID, OrderStatus]:
        rows = await self.session.scalars(
            select(OrderStatus).where(OrderStatus.company_id == self.company_id)
        )
        return {status.id: status for status in rows}


class OrderChildren:
    """What an order's detail shows beyond its row, each read in one query."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def lines(self, order_id: uuid.UUID) -> list[OrderLine]:
        return list(
            (
                await self.session.scalars(
                    select(OrderLine)
                    .where(OrderLine.company_id == self.company_id, OrderLine.order_id == order_id)
                    .order_by(OrderLine.position, OrderLine.id)
                )
            ).all()
        )

    async def payments(self, order_id: uuid.UUID) -> list[Payment]:
        return list(
            (
                await self.session.scalars(
                    select(Payment)
                    .where(Payment.company_id == self.company_id, Payment.order_id == order_id)
                    .order_by(Payment.paid_on, Payment.created_at, Payment.id)
                )
            ).all()
        )

    async def file_shas(self, order_id: uuid.UUID) -> list[str]:
        return list(
            (
                await self.session.scalars(
                    select(OrderFile.sha256)
                    .where(OrderFile.company_id == self.company_id, OrderFile.order_id == order_id)
                    .distinct()
                )
            ).all()
        )
