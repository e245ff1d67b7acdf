"""The reports' aggregate queries. Each is one SQL statement that aggregates in the
database, scoped to the company fixed at construction, whatever the number of rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.company.models import Company
from app.order.assignee.models import OrderAssignee
from app.order.models import Order
from app.order.payment.models import Payment
from app.order_status.models import OrderStatus
from app.user.models import User

# Receivables buckets by days overdue: (name, fewest days, most days); None is open-ended.
AGE_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("current", None, 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_over_90", 91, None),
)


class ReportRepository:
    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def currency_and_timezone(self) -> tuple[str, str]:
        row = (
            await self.session.execute(
                select(Company.currency, Company.timezone).where(Company.id == self.company_id)
            )
        ).one()
        return row[0], row[1]

    async def sales_by_user(
        self,
        *,
        created_from: datetime,
        created_before: datetime,
        paid_from: date,
        paid_to: date,
        user_id: uuid.UUID | None,
    ) -> Sequence[Row[Any]]:
        """Per user associated with an order (any role): the orders created in
        [created_from, created_before), those of them in a `counts_as_sold` status and
        their total, and the payments dated paid_from..paid_to on any order of the user's.
        Users with neither are left out. Sorted by sold amount, largest first."""
        sold = OrderStatus.counts_as_sold
        assigned_order = (Order.company_id == OrderAssignee.company_id) & (
            Order.id == OrderAssignee.order_id
        )
        sales = (
            select(
                OrderAssignee.user_id,
                func.count().label("orders"),
                func.count().filter(sold).label("sold_orders"),
                func.coalesce(func.sum(Order.total).filter(sold), 0).label("sold_amount"),
            )
            .select_from(OrderAssignee)
            .join(Order, assigned_order)
            .join(
                OrderStatus,
                (OrderStatus.company_id == Order.company_id) & (OrderStatus.id == Order.status_id),
            )
            .where(
                OrderAssignee.company_id == self.company_id,
                Order.created_at >= created_from,
                Order.created_at < created_before,
            )
            .group_by(OrderAssignee.user_id)
        )
        collected = (
            select(OrderAssignee.user_id, func.sum(Payment.amount).label("amount"))
            .select_from(Payment)
            .join(
                OrderAssignee,
                (OrderAssignee.company_id == Payment.company_id)
                & (OrderAssignee.order_id == Payment.order_id),
            )
            .where(
                Payment.company_id == self.company_id,
                Payment.paid_on >= paid_from,
                Payment.paid_on <= paid_to,
            )
            .group_by(OrderAssignee.user_id)
        )
        if user_id is not None:
            sales = sales.where(OrderAssignee.user_id == user_id)
            collected = collected.where(OrderAssignee.user_id == user_id)
        s = sales.subquery("sales")
        c = collected.subquery("collected")
        sold_amount = func.coalesce(s.c.sold_amount, 0)
        stmt = (
            select(
                User.id.label("user_id"),
                User.name,
                func.coalesce(s.c.orders, 0).label("orders"),
                func.coalesce(s.c.sold_orders, 0).label("sold_orders"),
                sold_amount.label("sold_amount"),
                func.coalesce(c.c.amount, 0).label("payments_collected"),
            )
            .select_from(User)
            .outerjoin(s, s.c.user_id == User.id)
            .outerjoin(c, c.c.user_id == User.id)
            .where(
                User.company_id == self.company_id,
                or_(s.c.user_id.is_not(None), c.c.user_id.is_not(None)),
            )
            .order_by(sold_amount.desc(), User.name, User.id)
        )
        rows: Sequence[Row[Any]] = (await self.session.execute(stmt)).all()
        return rows

    async def receivables(self, today: date) -> Row[Any]:
        """Count and balance due of the invoiced orders that still owe something, per
        AGE_BUCKETS (days past the due date as of `today`; not yet due or no due date is
        `current`), then in total: `<bucket>_count`, `<bucket>_amount`, ... One statement,
        served by the partial index ix_orders_company_id_due_on_open."""
        columns: list[ColumnElement[Any]] = []
        for name, fewest, most in AGE_BUCKETS:
            where = _days_overdue_between(today, fewest, most)
            columns += [
                func.count().filter(where).label(f"{name}_count"),
                func.coalesce(func.sum(Order.balance_due).filter(where), 0).label(f"{name}_amount"),
            ]
        columns += [
            func.count().label("total_count"),
            func.coalesce(func.sum(Order.balance_due), 0).label("total_amount"),
        ]
        stmt = select(*columns).where(
            Order.company_id == self.company_id,
            Order.invoiced_on.is_not(None),
            Order.balance_due > 0,
        )
        return (await self.session.execute(stmt)).one()


def _days_overdue_between(today: date, fewest: int | None, most: int | None) -> ColumnElement[bool]:
    """due_on such that today - due_on is within [fewest, most]; a missing due date is
    never overdue."""
    clauses: list[ColumnElement[bool]] = []
    if most is not None:  # at most `most` days overdue: due on or after today - most
        clauses.append(Order.due_on >= today - timedelta(days=most))
    if fewest is not None:
        clauses.append(Order.due_on <= today - timedelta(days=fewest))
    condition = clauses[0] if len(clauses) == 1 else clauses[0] & clauses[1]
    if fewest is None:
        condition = or_(Order.due_on.is_(None), condition)
    return condition
