"""The company's billing state as Stripe last told us, and the Stripe events received.

`billing_account` is a copy: Stripe is the source of truth, webhooks and our own changes
re-read it into this row, so `GET /v1/billing` answers without calling Stripe."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.billing.plans import DEFAULT_PLAN
from app.kit.models import Base


class BillingAccount(Base):
    """One per company, created the first time billing is touched; a company without one
    is on the default plan with no subscription."""

    __tablename__ = "billing_account"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True
    )
    plan: Mapped[str] = mapped_column(String(20), default=DEFAULT_PLAN)
    interval: Mapped[str] = mapped_column(String(10), default="month")
    # Stripe's subscription status (active, past_due, canceled, incomplete, ...), or "none".
    status: Mapped[str] = mapped_column(String(30), default="none")
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_item_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None]
    # Stripe's customer balance: negative is a credit toward the next invoices.
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    next_payment_amount: Mapped[int | None] = mapped_column(BigInteger)
    next_payment_at: Mapped[datetime | None]
    card_payment_method_id: Mapped[str | None] = mapped_column(String(255))
    card_brand: Mapped[str | None] = mapped_column(String(30))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None] = mapped_column(SmallInteger)
    card_exp_year: Mapped[int | None] = mapped_column(SmallInteger)
    # When the row was last refreshed from Stripe.
    synced_at: Mapped[datetime | None]
    # Changes asked of Stripe so far. Each request's idempotency key carries the next
    # number: a retry after a failure (nothing committed here) reuses the key and Stripe
    # replays its first answer; the next change, committed, gets a new one.
    stripe_requests: Mapped[int] = mapped_column(Integer, default=0)


class StripeEvent(Base):
    """A webhook delivery, stored before it is acknowledged; the worker applies it and
    sets `processed_at`. The id is Stripe's, so a repeated delivery is the same row."""

    __tablename__ = "stripe_event"
    __table_args__ = (
        Index(
            "ix_stripe_event_received_at_pending",
            "received_at",
            postgresql_where=text("processed_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    # Stripe's `created`: when the event happened, in Stripe's clock.
    created: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    processed_at: Mapped[datetime | None]
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("company.id", ondelete="SET NULL")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the worker did: applied, ignored (not ours / not handled) or the last error.
    outcome: Mapped[str | None] = mapped_column(Text)
