from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.models import BillingAccount
from app.company.models import Company
from app.custom_field.models import CustomField
from app.kit.repository import TenantRepository
from app.order_form.models import OrderForm, ReferralOption

# Stripe subscription states in which the company's public pages are closed.
SUSPENDED_STATUSES = ("canceled", "unpaid", "incomplete_expired")


class OrderFormRepository:
    """The company's form settings row (one per company, keyed by it)."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def get(self, *, for_update: bool = False) -> OrderForm | None:
        stmt = select(OrderForm).where(OrderForm.company_id == self.company_id)
        if for_update:
            stmt = stmt.with_for_update()
        found: OrderForm | None = await self.session.scalar(stmt)
        return found

    def add(self, form: OrderForm) -> OrderForm:
        form.company_id = self.company_id
        self.session.add(form)
        return form

    async def company(self) -> Company:
        return (
            await self.session.scalars(select(Company).where(Company.id == self.company_id))
        ).one()

    async def custom_fields(self) -> Sequence[CustomField]:
        rows = await self.session.scalars(
            select(CustomField)
            .where(CustomField.company_id == self.company_id)
            .order_by(CustomField.position, CustomField.key, CustomField.id)
        )
        return rows.all()


async def open_company_by_slug(session: AsyncSession, slug: str) -> Company | None:
    """The company whose public form lives at `slug`, unless its billing is suspended."""
    suspended = (
        select(BillingAccount.company_id)
        .where(
            BillingAccount.company_id == Company.id,
            BillingAccount.status.in_(SUSPENDED_STATUSES),
        )
        .exists()
    )
    found: Company | None = await session.scalar(
        select(Company).where(Company.slug == slug, ~suspended)
    )
    return found


class ReferralOptionRepository(TenantRepository[ReferralOption]):
    model = ReferralOption
    label = "Referral option"

    async def label_taken(self, label: str, exclude: uuid.UUID | None = None) -> bool:
        stmt = self.select().where(func.lower(ReferralOption.label) == label.lower())
        if exclude is not None:
            stmt = stmt.where(ReferralOption.id != exclude)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def in_order(self) -> Sequence[ReferralOption]:
        rows = await self.session.scalars(
            select(ReferralOption)
            .where(ReferralOption.company_id == self.company_id)
            .order_by(ReferralOption.position, ReferralOption.id)
        )
        return rows.all()
