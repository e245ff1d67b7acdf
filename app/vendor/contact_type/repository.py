from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from app.kit.repository import TenantRepository
from app.vendor.contact_type.models import ContactType
from app.vendor.models import VendorContactType


class ContactTypeRepository(TenantRepository[ContactType]):
    model = ContactType
    label = "Contact type"

    async def name_taken(self, name: str, *, except_id: uuid.UUID | None = None) -> bool:
        """Whether another type has this name, ignoring case (as the unique index does)."""
        stmt = select(ContactType.id).where(
            ContactType.company_id == self.company_id,
            func.lower(ContactType.name) == func.lower(name),
        )
        if except_id is not None:
            stmt = stmt.where(ContactType.id != except_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def next_position(self) -> int:
        last = await self.session.scalar(
            select(func.max(ContactType.position)).where(ContactType.company_id == self.company_id)
        )
        return 0 if last is None else int(last) + 1

    async def by_ids_key_share(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ContactType]:
        """The company's types with these ids, each locked FOR KEY SHARE: a deletion of one
        under way is waited for (and then it is missing), and none can be deleted until the
        caller's transaction ends."""
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(ContactType)
            .where(ContactType.company_id == self.company_id, ContactType.id.in_(wanted))
            .with_for_update(read=True, key_share=True)
        )
        return {row.id: row for row in rows}

    async def vendors_using(self, contact_type_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(VendorContactType)
            .where(
                VendorContactType.company_id == self.company_id,
                VendorContactType.contact_type_id == contact_type_id,
            )
        )
        return int(count or 0)
