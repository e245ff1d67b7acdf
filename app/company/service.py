"""The company's own settings: name, timezone, payment terms and the warranty reminders of
equipment (its currency is fixed at signup: every amount already recorded is in it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.company.models import Company
from app.company.repository import CompanyRepository
from app.company.schemas import CompanyUpdate
from app.event import service as events
from app.kit.concurrency import check_version
from app.user import service as users

RECIPIENTS = "warranty_expiry_recipient_ids"


async def get_company(session: AsyncSession, principal: Principal) -> Company:
    """The caller's company."""
    return await CompanyRepository(session, principal.company_id).get()


async def settings_of(
    session: AsyncSession, company_id: uuid.UUID, *, share: bool = False
) -> Company:
    """The company, for its settings (timezone, warranty reminder days). `share` holds a
    share lock until the transaction ends, so that a change of the settings waits for a
    record computed from them to commit (and then updates it too), or goes first."""
    return await CompanyRepository(session, company_id).get(share=share)


async def update_company(
    session: AsyncSession,
    principal: Principal,
    body: CompanyUpdate,
    *,
    expected_version: int | None,
) -> Company:
    """Change only the fields sent, under the company's row lock; 412 when stale.
    Warranty recipients must be active users of the company (422 naming the field). A new
    number of reminder days moves the reminder day of every warranty of the company in the
    same transaction (one already notified for its expiry stays notified)."""
    repository = CompanyRepository(session, principal.company_id)
    company = await repository.get(for_update=True)
    check_version(company.version, expected_version)
    before = events.snapshot(company)
    changes = body.changes()
    if RECIPIENTS in changes:
        recipients = await users.require_active_users(
            session, principal.company_id, changes[RECIPIENTS], field=RECIPIENTS
        )
        changes[RECIPIENTS] = [user.id for user in recipients]
    days = changes.get("warranty_reminder_days")
    if days is not None and days != company.warranty_reminder_days:
        await repository.move_warranty_reminders(days)
    for name, value in changes.items():
        setattr(company, name, value)
    await session.flush()
    events.record(session, principal, "updated", company, before=before)
    return company
