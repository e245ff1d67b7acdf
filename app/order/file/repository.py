from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.repository import TenantRepository
from app.order.file.models import OrderFile
from app.storage.files import BlobSpace

# The blobs order files reference (app/storage/files.py), under the keys they always had.
BLOBS = BlobSpace(
    "order_file", company_id=OrderFile.company_id, sha256=OrderFile.sha256, prefix=None
)


class OrderFileRepository(TenantRepository[OrderFile]):
    """The files of one order: company and order are fixed when it is built, so a file id
    under another order is as missing as one of another company."""

    model = OrderFile
    label = "File"

    def __init__(self, session: AsyncSession, company_id: uuid.UUID, order_id: uuid.UUID) -> None:
        super().__init__(session, company_id)
        self.order_id = order_id

    def select(self) -> Select[tuple[OrderFile]]:
        return super().select().where(OrderFile.order_id == self.order_id)

    def add(self, entity: OrderFile) -> OrderFile:
        entity.order_id = self.order_id
        return super().add(entity)

    async def shas(self) -> list[str]:
        """The blobs the order's files reference."""
        rows = await self.session.scalars(
            select(OrderFile.sha256)
            .where(OrderFile.company_id == self.company_id, OrderFile.order_id == self.order_id)
            .distinct()
        )
        return sorted(rows)
