from __future__ import annotations

from sqlalchemy import select

from app.kit.repository import ChildRepository
from app.order.payment.models import Payment


class PaymentRepository(ChildRepository[Payment]):
    """The payments of one order (a payment id under another order is as missing as one of
    another company)."""

    model = Payment
    label = "Payment"
    parent_key = "order_id"

    async def all(self) -> list[Payment]:
        """Every payment of the order, oldest first (an order has a handful)."""
        stmt = (
            select(Payment)
            .where(Payment.company_id == self.company_id, Payment.order_id == self.parent_id)
            .order_by(Payment.paid_on, Payment.created_at, Payment.id)
        )
        return list((await self.session.scalars(stmt)).all())
