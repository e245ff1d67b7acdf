from __future__ import annotations

import uuid

from sqlalchemy import select

from app.group.models import Group
from app.kit.repository import TenantRepository


class GroupRepository(TenantRepository[Group]):
    model = Group
    label = "Group"

    async def name_taken(self, name: str, *, except_id: uuid.UUID | None = None) -> bool:
        stmt = select(Group.id).where(Group.company_id == self.company_id, Group.name == name)
        if except_id is not None:
            stmt = stmt.where(Group.id != except_id)
        return await self.session.scalar(stmt) is not None
