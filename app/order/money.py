"""The one place order money is computed. Amounts are integer minor units.

- a line's total is quantity x unit amount, rounded half-to-even to the minor unit;
- subtotal is the sum of line totals, and total is the subtotal (taxes and discounts
  would come in here);
- amount paid is the sum of payments, and balance due is total - amount paid (a generated
  column, so SQL filters and the API read the same number).

`refresh_totals` rewrites the stored figures from the rows after every change to lines or
payments, inside the same transaction and under the order's row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import ValidationFailed
from app.order.line.models import OrderLine
from app.order.models import Order
from app.order.payment.models import Payment

PaymentState = Literal["unpaid", "partially_paid", "paid"]


def line_total(quantity: Decimal, unit_amount: int) -> int:
    return int((quantity * unit_amount).to_integral_value(rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class Totals:
    subtotal: int
    total: int
    amount_paid: int

    @property
    def balance_due(self) -> int:
        return self.total - self.amount_paid


def totals_of(line_totals: list[int], payments: list[int]) -> Totals:
    """Totals of an order with these line totals and payment amounts."""
    subtotal = sum(line_totals)
    return Totals(subtotal=subtotal, total=subtotal, amount_paid=sum(payments))


async def refresh_totals(session: AsyncSession, order: Order, *, field: str = "amount") -> Totals:
    """Recompute the order's stored totals from its rows (the caller holds the order's row
    lock). A change that would leave more paid than owed is a 422 naming `field`."""
    await session.flush()
    line_totals = (
        await session.scalars(
            select(OrderLine.line_total).where(
                OrderLine.company_id == order.company_id, OrderLine.order_id == order.id
            )
        )
    ).all()
    payments = (
        await session.scalars(
            select(Payment.amount).where(
                Payment.company_id == order.company_id, Payment.order_id == order.id
            )
        )
    ).all()
    totals = totals_of(list(line_totals), list(payments))
    if totals.balance_due < 0:
        raise ValidationFailed.field(
            field,
            f"would take the order's balance below zero (balance due "
            f"{order.total - order.amount_paid}, total {totals.total}, paid {totals.amount_paid})",
        )
    if (order.subtotal, order.total, order.amount_paid) != (
        totals.subtotal,
        totals.total,
        totals.amount_paid,
    ):
        order.subtotal = totals.subtotal
        order.total = totals.total
        order.amount_paid = totals.amount_paid
        # The flush reads balance_due, version and updated_at back (eager_defaults).
        await session.flush()
    return totals


def payment_state(total: int, amount_paid: int) -> PaymentState:
    if amount_paid >= total:
        return "paid"
    return "partially_paid" if amount_paid > 0 else "unpaid"


def is_overdue(due_on: date | None, balance_due: int, today: date) -> bool:
    return due_on is not None and due_on < today and balance_due > 0
