from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.repository import TenantRepository
from app.order.file.models import OrderFile


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


class BlobReferences:
    """Which of the company's blobs (by sha256) its order files still reference."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def lock(self, sha256: str) -> None:
        """Serialise, until the transaction ends, everything that writes or removes the
        company's blob `sha256`: an upload holds it from writing the blob to committing its
        row, the clean-up from counting references to removing the blob."""
        key = f"order_file:{self.company_id}:{sha256}"
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
        )

    async def referenced(self, shas: Collection[str]) -> set[str]:
        if not shas:
            return set()
        rows = await self.session.scalars(
            select(OrderFile.sha256)
            .where(OrderFile.company_id == self.company_id, OrderFile.sha256.in_(list(shas)))
            .distinct()
        )
        return set(rows)

    async def of_order(self, order_id: uuid.UUID) -> list[str]:
        rows = await self.session.scalars(
            select(OrderFile.sha256)
            .where(OrderFile.company_id == self.company_id, OrderFile.order_id == order_id)
            .distinct()
        )
        return sorted(rows)
