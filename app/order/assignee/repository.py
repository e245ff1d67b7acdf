from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.order.assignee.models import OrderAssignee
from app.user.models import User


class OrderAssigneeRepository:
    """The users associated with orders, each read with its user's name. A row is keyed by
    (company, order, user) and has no id of its own, so this is not a TenantRepository; the
    company is fixed when it is built all the same."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    def _with_names(self) -> Select[OrderAssignee, str]:
        return (
            select(OrderAssignee, User.name)
            .join(
                User,
                (User.company_id == OrderAssignee.company_id) & (User.id == OrderAssignee.user_id),
            )
            .where(OrderAssignee.company_id == self.company_id)
        )

    async def of_orders(self, order_ids: Sequence[uuid.UUID]) -> list[tuple[OrderAssignee, str]]:
        """The assignees of these orders, oldest first, in one query."""
        if not order_ids:
            return []
        rows = await self.session.execute(
            self._with_names()
            .where(OrderAssignee.order_id.in_(order_ids))
            .order_by(OrderAssignee.created_at, OrderAssignee.user_id)
        )
        return [(assignee, name) for assignee, name in rows]

    async def get(
        self, order_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[OrderAssignee, str] | None:
        stmt = self._with_names().where(
            OrderAssignee.order_id == order_id, OrderAssignee.user_id == user_id
        )
        if for_update:
            stmt = stmt.with_for_update(of=OrderAssignee)
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def insert(
        self, order_id: uuid.UUID, user_id: uuid.UUID, role: str
    ) -> OrderAssignee | None:
        """Add the user to the order; None when already there (a concurrent add included:
        the primary key decides, without an error that would abort the transaction)."""
        stmt = (
            pg_insert(OrderAssignee)
            .values(company_id=self.company_id, order_id=order_id, user_id=user_id, role=role)
            .on_conflict_do_nothing()
            .returning(OrderAssignee)
        )
        assignee: OrderAssignee | None = await self.session.scalar(stmt)
        return assignee

    async def delete(self, assignee: OrderAssignee) -> None:
        await self.session.delete(assignee)
