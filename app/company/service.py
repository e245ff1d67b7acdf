"""The company's own settings: name, timezone and payment terms (its currency is fixed at
signup: every amount already recorded is in it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.company.models import Company
from app.company.repository import CompanyRepository
from app.company.schemas import CompanyUpdate
from app.event import service as events
from app.kit.concurrency import check_version


async def get_company(session: AsyncSession, principal: Principal) -> Company:
    """The caller's company."""
    return await CompanyRepository(session, principal.company_id).get()


async def update_company(
    session: AsyncSession,
    principal: Principal,
    body: CompanyUpdate,
    *,
    expected_version: int | None,
) -> Company:
    """Change only the fields sent, under the company's row lock; 412 when stale."""
    company = await CompanyRepository(session, principal.company_id).get(for_update=True)
    check_version(company.version, expected_version)
    before = events.snapshot(company)
    for name, value in body.changes().items():
        setattr(company, name, value)
    await session.flush()
    events.record(session, principal, "updated", company, before=before)
    return company
