from __future__ import annotations

import uuid

from sqlalchemy import literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.company.models import Company
from app.customer.equipment.models import Equipment


class CompanyRepository:
    """The caller's own company. Not a TenantRepository (the company is the tenant): it is
    only ever read by the principal's `company_id`, never by an id a client sends."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def get(self, *, for_update: bool = False, share: bool = False) -> Company:
        """The company; `for_update` locks it FOR NO KEY UPDATE (a settings change: rows
        being inserted for the company, whose foreign key checks take KEY SHARE, do not wait
        for it, nor it for them), `share` FOR SHARE (a record computed from the settings)."""
        stmt = select(Company).where(Company.id == self.company_id)
        if for_update:
            stmt = stmt.with_for_update(key_share=True)
        elif share:
            stmt = stmt.with_for_update(read=True)
        return (await self.session.scalars(stmt)).one()

    async def move_warranty_reminders(self, reminder_days: int) -> None:
        """Recompute the reminder day of the company's equipment warranties for a new number
        of days before expiry. Equipment is the customer domain's table, written here as
        data (the customer domain reads the company's settings through its service). Not a
        change of the equipment as shown: its version and updated_at stay."""
        await self.session.execute(
            update(Equipment)
            .where(
                Equipment.company_id == self.company_id,
                Equipment.warranty_expires_on.is_not(None),
            )
            .values(
                warranty_remind_on=Equipment.warranty_expires_on - literal(reminder_days),
                updated_at=Equipment.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
