from __future__ import annotations

import uuid

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.contact.models import Contact
from app.kit.repository import TenantRepository


class ContactRepository(TenantRepository[Contact]):
    """The contacts of one customer: company and customer are fixed when it is built, so a
    contact id under another customer is as missing as one of another company."""

    model = Contact
    label = "Contact"

    def __init__(
        self, session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
    ) -> None:
        super().__init__(session, company_id)
        self.customer_id = customer_id

    def select(self) -> Select[tuple[Contact]]:
        return super().select().where(Contact.customer_id == self.customer_id)

    def add(self, entity: Contact) -> Contact:
        entity.customer_id = self.customer_id
        return super().add(entity)

    async def primary(self) -> Contact | None:
        """The primary contact, locked (the caller holds the customer's lock)."""
        stmt = self.select().where(Contact.is_primary).with_for_update()
        contact: Contact | None = await self.session.scalar(stmt)
        return contact

    async def oldest(self) -> Contact | None:
        """The oldest contact, locked; None when the customer has none."""
        stmt = self.select().order_by(Contact.created_at, Contact.id).limit(1).with_for_update()
        contact: Contact | None = await self.session.scalar(stmt)
        return contact
