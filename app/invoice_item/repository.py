from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.invoice_item.models import InvoiceItem
from app.kit.repository import TenantRepository
from app.order.line.models import OrderLine


class InvoiceItemRepository(TenantRepository[InvoiceItem]):
    model = InvoiceItem
    label = "Invoice item"

    async def sku_taken(self, sku: str, *, except_id: uuid.UUID | None = None) -> bool:
        stmt = select(InvoiceItem.id).where(
            InvoiceItem.company_id == self.company_id, InvoiceItem.sku == sku
        )
        if except_id is not None:
            stmt = stmt.where(InvoiceItem.id != except_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def lines_using(self, item_id: uuid.UUID) -> int:
        """How many order lines were added from this item (served by their index)."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(OrderLine)
            .where(OrderLine.company_id == self.company_id, OrderLine.invoice_item_id == item_id)
        )
        return int(count or 0)
