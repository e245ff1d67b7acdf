from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from app.kit.repository import TenantRepository
from app.tag.models import Tag


class TagRepository(TenantRepository[Tag]):
    model = Tag
    label = "Tag"

    async def name_taken(self, name: str, *, except_id: uuid.UUID | None = None) -> bool:
        """Whether another tag has this name, ignoring case (as the unique index does)."""
        stmt = select(Tag.id).where(
            Tag.company_id == self.company_id, func.lower(Tag.name) == func.lower(name)
        )
        if except_id is not None:
            stmt = stmt.where(Tag.id != except_id)
        return await self.session.scalar(stmt) is not None

    async def by_ids(self, tag_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Tag]:
        ids = set(tag_ids)
        if not ids:
            return {}
        tags = await self.session.scalars(
            select(Tag).where(Tag.company_id == self.company_id, Tag.id.in_(ids))
        )
        return {tag.id: tag for tag in tags}
