"""Billing of the company itself (seed 000, Settings -> Billing; admins only).

Stripe holds the truth. Every change is made at Stripe first, inside the request's
transaction with the company's billing row locked; the row is then refreshed from Stripe's
answers. When Stripe fails, the request fails and the transaction rolls back, so nothing is
half-written here; a retry reuses the same idempotency keys (numbered by the committed
`stripe_requests`), so nothing happens twice there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.billing import plans
from app.billing.gateway import InvoicePreview, StripeGateway, SubscriptionSnapshot
from app.billing.models import BillingAccount
from app.billing.repository import BillingRepository
from app.billing.schemas import (
    BillingRead,
    CardRead,
    NextPayment,
    PaymentMethodSet,
    PlanPrice,
    PlanRead,
    ProrationLine,
    SetupIntentRead,
    SubscriptionChange,
    SubscriptionPreview,
    UsersRead,
)
from app.billing.sync import LIVE_STATUSES, PAST_DUE_STATUSES, refresh
from app.company.models import Company
from app.errors import Conflict, TrackrError, ValidationFailed
from app.event import service as events
from app.user import service as users


class PlanLimitReached(TrackrError):
    status = 409
    code = "plan-limit-reached"
    title = "Plan limit reached"

    def __init__(self, plan: plans.Plan, active_users: int, action: str) -> None:
        super().__init__(
            f"{action}: the {plan.name} plan allows {plan.max_users} active users and the "
            f"company has {active_users}.",
            plan=plan.code,
            limit=plan.max_users,
            active_users=active_users,
        )


def effective_plan(account: BillingAccount | None) -> plans.Plan:
    """The plan whose limits apply: the subscribed one while the subscription lives."""
    if account is None or account.status not in LIVE_STATUSES:
        return plans.plan(plans.DEFAULT_PLAN)
    return plans.plan(account.plan)


async def _active_users(repository: BillingRepository) -> int:
    return await users.count_active_users(repository.session, repository.company_id)


async def ensure_room_for_user(session: AsyncSession, company_id: uuid.UUID) -> None:
    """Refuse one more active user beyond the plan's limit. Locks the billing row, so two
    users added at once are counted one after the other."""
    repository = BillingRepository(session, company_id)
    account = await repository.lock()
    plan = effective_plan(account)
    used = await _active_users(repository)
    if used + 1 > plan.max_users:
        raise PlanLimitReached(plan, used, "Cannot add an active user")


def _plans_read() -> list[PlanRead]:
    return [
        PlanRead(
            code=plan.code,
            name=plan.name,
            max_users=plan.max_users,
            prices=[
                PlanPrice(interval=interval, amount=plan.amount(interval), currency=plans.CURRENCY)
                for interval in plans.INTERVALS
            ],
        )
        for plan in plans.PLANS
    ]


def _read(account: BillingAccount | None, used: int) -> BillingRead:
    account = account or BillingAccount(
        plan=plans.DEFAULT_PLAN, interval="month", status="none", balance=0, currency="usd"
    )
    card = None
    if account.card_last4 is not None:
        card = CardRead(
            brand=account.card_brand or "unknown",
            last4=account.card_last4,
            exp_month=account.card_exp_month or 0,
            exp_year=account.card_exp_year or 0,
        )
    next_payment = None
    if account.next_payment_amount is not None and account.next_payment_at is not None:
        next_payment = NextPayment(
            amount=account.next_payment_amount,
            currency=account.currency,
            date=account.next_payment_at,
        )
    return BillingRead(
        plan=plans.plan(account.plan).code,
        interval="year" if account.interval == "year" else "month",
        status=account.status,
        past_due=account.status in PAST_DUE_STATUSES,
        users=UsersRead(used=used, limit=effective_plan(account).max_users),
        balance=account.balance,
        currency=account.currency,
        current_period_end=account.current_period_end,
        next_payment=next_payment,
        card=card,
        plans=_plans_read(),
        synced_at=account.synced_at,
    )


async def get_billing(session: AsyncSession, principal: Principal) -> BillingRead:
    """The local copy of the billing state: answers without calling Stripe."""
    repository = BillingRepository(session, principal.company_id)
    return _read(await repository.get(), await _active_users(repository))


def _key(account: BillingAccount, purpose: str) -> str:
    """The idempotency key of the next Stripe change of this company."""
    return f"trackr-{account.company_id}-{account.stripe_requests + 1}-{purpose}"


async def _customer_id(
    session: AsyncSession, gateway: StripeGateway, account: BillingAccount
) -> str:
    if account.stripe_customer_id is None:
        company = await session.get(Company, account.company_id)
        assert company is not None
        # One customer per company ever: the key needs no counter.
        account.stripe_customer_id = await gateway.create_customer(
            company_id=str(account.company_id),
            name=company.name,
            key=f"trackr-{account.company_id}-customer",
        )
    return account.stripe_customer_id


async def create_setup_intent(
    session: AsyncSession, principal: Principal, gateway: StripeGateway
) -> SetupIntentRead:
    """A setup intent for Stripe.js to collect a card with."""
    account = await BillingRepository(session, principal.company_id).lock()
    customer_id = await _customer_id(session, gateway, account)
    intent_id, secret = await gateway.create_setup_intent(
        customer_id=customer_id, key=_key(account, "setup-intent")
    )
    account.stripe_requests += 1
    return SetupIntentRead(id=intent_id, client_secret=secret)


async def set_payment_method(
    session: AsyncSession, principal: Principal, gateway: StripeGateway, body: PaymentMethodSet
) -> BillingRead:
    """Make a card the default for the subscription's invoices (attaching it first when
    Stripe.js collected it without a customer)."""
    repository = BillingRepository(session, principal.company_id)
    account = await repository.lock()
    before = events.snapshot(account)
    customer_id = await _customer_id(session, gateway, account)
    card, owner = await gateway.payment_method(body.payment_method_id)
    if card is None or (owner is not None and owner != customer_id):
        raise ValidationFailed.field(
            "payment_method_id", "No card with this id belongs to the company's Stripe customer."
        )
    if owner is None:
        await gateway.attach_payment_method(
            body.payment_method_id,
            customer_id=customer_id,
            key=_key(account, f"attach-{body.payment_method_id}"),
        )
    await gateway.set_default_payment_method(
        customer_id, body.payment_method_id, key=_key(account, "default-payment-method")
    )
    account.stripe_requests += 1
    await refresh(account, gateway)
    await session.flush()
    events.record(
        session, principal, "updated", account, before=before, entity_id=account.company_id
    )
    return _read(account, await _active_users(repository))


def _target(body: SubscriptionChange) -> tuple[plans.Plan, plans.Interval]:
    return plans.plan(body.plan), body.interval


async def _check_limit(repository: BillingRepository, plan: plans.Plan) -> None:
    used = await _active_users(repository)
    if used > plan.max_users:
        raise PlanLimitReached(plan, used, f"Cannot change to {plan.name}")


async def _current(gateway: StripeGateway, account: BillingAccount) -> SubscriptionSnapshot | None:
    """The subscription as Stripe has it now (not our copy: a change is computed from the
    truth), or None when there is none to change."""
    if account.stripe_subscription_id is None:
        return None
    current = await gateway.subscription(account.stripe_subscription_id)
    return None if current.status in {"canceled", "incomplete_expired"} else current


Change = Literal["new", "upgrade", "downgrade", "none"]
Proration = Literal["always_invoice", "create_prorations", "none"]


def _change(
    gateway: StripeGateway,
    current: SubscriptionSnapshot | None,
    price_id: str,
    target: tuple[plans.Plan, plans.Interval],
) -> tuple[Change, Proration]:
    """What kind of change this is, and the proration behaviour it gets."""
    if current is None:
        return "new", "none"
    if current.price_id == price_id:
        return "none", "none"
    old = plans.by_price_id(gateway.settings, current.price_id)
    if old is None or plans.is_upgrade(old, target):
        return "upgrade", "always_invoice"
    return "downgrade", "create_prorations"


def _preview_read(
    target: tuple[plans.Plan, plans.Interval],
    change: Change,
    behavior: Proration,
    invoice: InvoicePreview,
) -> SubscriptionPreview:
    plan, interval = target
    # A proration line runs from the proration date to the period's end.
    prorations = [line.period_start for line in invoice.lines if line.proration]
    proration_date = int((min(prorations) if prorations else datetime.now(UTC)).timestamp())
    return SubscriptionPreview(
        plan=plan.code,
        interval=interval,
        change=change,
        proration_behavior=behavior,
        proration_date=proration_date,
        lines=[
            ProrationLine(
                description=line.description,
                amount=line.amount,
                proration=line.proration,
                period_start=line.period_start,
                period_end=line.period_end,
            )
            for line in invoice.lines
        ],
        amount_due=invoice.amount_due,
        currency=invoice.currency,
        charged_at=datetime.now(UTC) if change in {"new", "upgrade"} else invoice.payment_at,
    )


@dataclass(frozen=True)
class _PlanChange:
    """A requested change of plan or interval, checked and set against Stripe's truth."""

    repository: BillingRepository
    account: BillingAccount
    target: tuple[plans.Plan, plans.Interval]
    customer_id: str
    current: SubscriptionSnapshot | None
    price_id: str
    change: Change
    behavior: Proration


async def _plan_change(
    session: AsyncSession, principal: Principal, gateway: StripeGateway, body: SubscriptionChange
) -> _PlanChange:
    """Lock the account, refuse a plan with fewer users than are active, and tell what the
    change is from the subscription as Stripe has it now."""
    repository = BillingRepository(session, principal.company_id)
    account = await repository.lock()
    target = _target(body)
    await _check_limit(repository, target[0])
    customer_id = await _customer_id(session, gateway, account)
    current = await _current(gateway, account)
    price_id = target[0].price_id(gateway.settings, target[1])
    change, behavior = _change(gateway, current, price_id, target)
    return _PlanChange(
        repository, account, target, customer_id, current, price_id, change, behavior
    )


async def preview_subscription(
    session: AsyncSession,
    principal: Principal,
    gateway: StripeGateway,
    body: SubscriptionChange,
) -> SubscriptionPreview:
    """What a change of plan or interval would charge or credit, as Stripe computes it."""
    plan = await _plan_change(session, principal, gateway, body)
    if plan.change == "none":
        assert plan.current is not None
        invoice = await gateway.upcoming_invoice(
            plan.customer_id, plan.current.id
        ) or InvoicePreview(
            amount_due=0, total=0, currency=plans.CURRENCY, lines=(), payment_at=None
        )
    else:
        invoice = await gateway.preview_change(
            plan.customer_id,
            plan.current,
            price_id=plan.price_id,
            proration_behavior=plan.behavior,
            proration_date=body.proration_date,
        )
    return _preview_read(plan.target, plan.change, plan.behavior, invoice)


async def change_subscription(
    session: AsyncSession,
    principal: Principal,
    gateway: StripeGateway,
    body: SubscriptionChange,
) -> BillingRead:
    """Subscribe, or change plan or interval: an upgrade is charged at once
    (`always_invoice`), a downgrade credited (`create_prorations`)."""
    plan = await _plan_change(session, principal, gateway, body)
    account, change, current, price_id = plan.account, plan.change, plan.current, plan.price_id
    before = events.snapshot(account)
    if change == "new":
        customer = await gateway.customer(plan.customer_id)
        if customer.card is None:
            raise Conflict(
                "Add a card first (POST /v1/billing/setup-intent, then "
                "PUT /v1/billing/payment-method).",
                reason="payment_method_required",
            )
        subscription = await gateway.create_subscription(
            customer_id=plan.customer_id,
            price_id=price_id,
            company_id=str(account.company_id),
            key=_key(account, f"subscribe-{price_id}"),
        )
    elif change == "none":
        assert current is not None
        subscription = current
    else:
        assert current is not None
        subscription = await gateway.update_subscription(
            current,
            price_id=price_id,
            proration_behavior=plan.behavior,
            proration_date=body.proration_date,
            key=_key(account, f"change-{price_id}"),
        )
    if change != "none":
        account.stripe_requests += 1
    account.stripe_subscription_id = subscription.id
    await refresh(account, gateway, subscription=subscription)
    await session.flush()
    events.record(
        session,
        principal,
        "updated",
        account,
        before=before,
        entity_id=account.company_id,
        change=change,
    )
    return _read(account, await _active_users(plan.repository))
