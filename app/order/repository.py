from __future__ import annotations

import uuid

from app.kit.repository import TenantRepository
from app.order.models import Order


class OrderRepository(TenantRepository[Order]):
    model = Order
    label = "Order"

    async def lock(self, order_id: uuid.UUID) -> Order:
        """The order, row-locked until the transaction ends: every change to its lines,
        payments or invoice takes this lock first, so totals are computed one writer at a
        time (two payments posted at once queue instead of overpaying). 404 when missing."""
        return await self.get_or_404(order_id, for_update=True)
