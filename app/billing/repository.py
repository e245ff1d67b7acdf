from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing.models import BillingAccount, StripeEvent


class BillingRepository:
    """The billing row of one company (fixed when built, as for every tenant repository)."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def get(self) -> BillingAccount | None:
        account: BillingAccount | None = await self.session.get(BillingAccount, self.company_id)
        return account

    async def lock(self) -> BillingAccount:
        """The company's row, created on first use, locked until the transaction ends: the
        changes of one company (and the user count they check) are made one at a time."""
        await self.session.execute(
            insert(BillingAccount)
            .values(company_id=self.company_id)
            .on_conflict_do_nothing(index_elements=[BillingAccount.company_id])
        )
        account = await self.session.scalar(
            select(BillingAccount)
            .where(BillingAccount.company_id == self.company_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert account is not None
        return account


async def lock_account_of_customer(
    session: AsyncSession, stripe_customer_id: str
) -> BillingAccount | None:
    """The account a Stripe customer belongs to, locked. Stripe's events name customers,
    not companies: this is the one lookup across companies, by an id only Stripe and this
    row hold."""
    account: BillingAccount | None = await session.scalar(
        select(BillingAccount)
        .where(BillingAccount.stripe_customer_id == stripe_customer_id)
        .with_for_update()
    )
    return account


# Built once: the webhook's hot path only binds its values (bench/webhooks.py profile).
_STORE_EVENT = (
    insert(StripeEvent)
    .values(
        id=bindparam("id"),
        type=bindparam("type"),
        created=bindparam("created"),
        payload=bindparam("payload"),
        attempts=0,
    )
    .on_conflict_do_nothing(index_elements=[StripeEvent.id])
    .returning(StripeEvent.id)
)


async def store_event(
    session: AsyncSession, *, event_id: str, type_: str, created: datetime, payload: dict[str, Any]
) -> bool:
    """Store a delivery once; False when the event was already stored."""
    result = await session.execute(
        _STORE_EVENT, {"id": event_id, "type": type_, "created": created, "payload": payload}
    )
    return result.first() is not None


async def is_processed(session: AsyncSession, event_id: str) -> bool:
    processed = await session.scalar(
        select(StripeEvent.processed_at.is_not(None)).where(StripeEvent.id == event_id)
    )
    return bool(processed)


async def lock_event(session: AsyncSession, event_id: str) -> StripeEvent | None:
    event: StripeEvent | None = await session.scalar(
        select(StripeEvent).where(StripeEvent.id == event_id).with_for_update()
    )
    return event


async def note_failure(session: AsyncSession, event_id: str, error: str) -> None:
    await session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id)
        .values(attempts=StripeEvent.attempts + 1, outcome=f"error: {error}"[:1000])
    )


async def pending_events(session: AsyncSession, older_than: datetime, limit: int) -> list[str]:
    """Events received before `older_than` and still not processed (the sweeper's input),
    oldest first, through the partial index on pending events."""
    rows = await session.scalars(
        select(StripeEvent.id)
        .where(StripeEvent.processed_at.is_(None), StripeEvent.received_at < older_than)
        .order_by(StripeEvent.received_at)
        .limit(limit)
    )
    return list(rows)
