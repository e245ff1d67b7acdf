from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import select

from app.kit.repository import ChildRepository, company_param, parent_param
from app.kit.statements import Prepared
from app.order.payment.models import Payment

# What a payment's read schema shows (app.order.payment.schemas.PaymentRead).
READ_COLUMNS = (
    "id",
    "order_id",
    "amount",
    "paid_on",
    "method",
    "reference",
    "note",
    "recorded_by",
    "created_at",
)


@cache
def rows_statement() -> Prepared:
    """The order's payments, oldest first, as their read schema's columns."""
    return Prepared.of(
        select(*(getattr(Payment, name) for name in READ_COLUMNS))
        .where(Payment.company_id == company_param(), Payment.order_id == parent_param())
        .order_by(Payment.paid_on, Payment.created_at, Payment.id)
    )


class PaymentRepository(ChildRepository[Payment]):
    """The payments of one order (a payment id under another order is as missing as one of
    another company)."""

    model = Payment
    label = "Payment"
    parent_key = "order_id"

    async def rows(self) -> Sequence[Any]:
        """`all` as rows of the read schema's columns."""
        return await self.fetch(rows_statement())

    async def all(self) -> list[Payment]:
        """Every payment of the order, oldest first (an order has a handful)."""
        stmt = (
            select(Payment)
            .where(Payment.company_id == self.company_id, Payment.order_id == self.parent_id)
            .order_by(Payment.paid_on, Payment.created_at, Payment.id)
        )
        return list((await self.session.scalars(stmt)).all())
