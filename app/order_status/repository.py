from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from app.kit.repository import TenantRepository
from app.order.models import Order
from app.order_status.models import OrderStatus


class OrderStatusRepository(TenantRepository[OrderStatus]):
    model = OrderStatus
    label = "Order status"

    async def lock_all(self) -> None:
        """Serialise every change to the company's statuses (names, positions, the default)
        with a transaction-scoped advisory lock. Writers take it before any row lock, so
        they queue instead of deadlocking, and the app-level checks (one default, unique
        name ignoring case, the next position) cannot race."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"order-status:{self.company_id}")))
        )

    async def all_ordered(self, *, for_update: bool = False) -> list[OrderStatus]:
        stmt = (
            select(OrderStatus)
            .where(OrderStatus.company_id == self.company_id)
            .order_by(OrderStatus.position, OrderStatus.id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return list(await self.session.scalars(stmt))

    async def default(self, *, for_update: bool = False) -> OrderStatus | None:
        stmt = self.select().where(OrderStatus.is_default)
        if for_update:
            stmt = stmt.with_for_update()
        status: OrderStatus | None = await self.session.scalar(stmt)
        return status

    async def name_taken(self, name: str, *, except_id: uuid.UUID | None = None) -> bool:
        """Whether another status has this name, ignoring case."""
        stmt = select(OrderStatus.id).where(
            OrderStatus.company_id == self.company_id,
            func.lower(OrderStatus.name) == func.lower(name),
        )
        if except_id is not None:
            stmt = stmt.where(OrderStatus.id != except_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def count(self) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(OrderStatus)
            .where(OrderStatus.company_id == self.company_id)
        )
        return int(total or 0)

    async def next_position(self) -> int:
        last = await self.session.scalar(
            select(func.max(OrderStatus.position)).where(OrderStatus.company_id == self.company_id)
        )
        return 0 if last is None else int(last) + 1

    async def orders_using(self, status_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.company_id == self.company_id, Order.status_id == status_id)
        )
        return int(count or 0)

    async def move_orders(self, from_id: uuid.UUID, to_id: uuid.UUID) -> int:
        """Give every order in `from_id` the status `to_id`, in one statement; each moved
        order's version is bumped, so an edit made against the old status is a 412."""
        result = await self.session.execute(
            update(Order)
            .where(Order.company_id == self.company_id, Order.status_id == from_id)
            .values(status_id=to_id, version=Order.version + 1)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
