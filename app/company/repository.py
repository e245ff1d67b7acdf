from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.company.models import Company


class CompanyRepository:
    """The caller's own company. Not a TenantRepository (the company is the tenant): it is
    only ever read by the principal's `company_id`, never by an id a client sends."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def get(self, *, for_update: bool = False) -> Company:
        stmt = select(Company).where(Company.id == self.company_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).one()
