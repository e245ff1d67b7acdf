from __future__ import annotations

from app.kit.repository import ChildRepository
from app.order.models import Payment


class PaymentRepository(ChildRepository[Payment]):
    """The payments of one order (a payment id under another order is as missing as one of
    another company)."""

    model = Payment
    label = "Payment"
    parent_key = "order_id"
