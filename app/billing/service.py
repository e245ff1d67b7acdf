"""Billing of the company itself (seed 000, Settings -> Billing; admins only).

Stripe holds the truth. Every change is made at Stripe first, inside the request's
transaction with the company's billing row locked; the row is then refreshed from Stripe's
answers. When Stripe fails, the request fails and the transaction rolls back, so nothing is
half-written here; a retry reuses the same idempotency keys (numbered by the committed
`stripe_requests`), so nothing happens twice there."""

from __future__ import annotations

import functools
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import stripe
from arq.connections import ArqRedis
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.billing import plans, repository
from app.billing.gateway import InvoicePreview, StripeGateway, SubscriptionSnapshot
from app.billing.models import BillingAccount
from app.billing.queue import enqueue_event as enqueue_event  # noqa: PLC0414 - for workers
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
    StripeEventIn,
    SubscriptionChange,
    SubscriptionPreview,
    UsersRead,
)
from app.company.models import Company
from app.errors import Conflict, TrackrError, ValidationFailed
from app.event import service as events
from app.kit.transaction import after_commit
from app.user import service as users

# Subscription statuses in which the plan paid for applies (past due: Stripe still retries).
LIVE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid"})
PAST_DUE_STATUSES = frozenset({"past_due", "unpaid"})


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


def _apply_subscription(
    gateway: StripeGateway, account: BillingAccount, subscription: SubscriptionSnapshot
) -> None:
    account.stripe_subscription_id = subscription.id
    account.stripe_subscription_item_id = subscription.item_id
    account.status = subscription.status
    account.current_period_end = subscription.current_period_end
    known = plans.by_price_id(gateway.settings, subscription.price_id)
    if known is not None:
        account.plan, account.interval = known[0].code, known[1]


async def refresh(
    account: BillingAccount,
    gateway: StripeGateway,
    *,
    subscription: SubscriptionSnapshot | None = None,
) -> None:
    """Copy what Stripe has now into the account: card, balance, subscription, next
    payment. Re-reading (rather than trusting an event's snapshot) is what makes a replayed
    or out-of-order event harmless: whatever the order, the row ends as Stripe is."""
    if account.stripe_customer_id is None:
        return
    customer = await gateway.customer(account.stripe_customer_id)
    account.balance = customer.balance
    account.currency = customer.currency
    card = customer.card
    account.card_payment_method_id = card.payment_method_id if card else None
    account.card_brand = card.brand if card else None
    account.card_last4 = card.last4 if card else None
    account.card_exp_month = card.exp_month if card else None
    account.card_exp_year = card.exp_year if card else None
    if subscription is None and account.stripe_subscription_id is not None:
        subscription = await gateway.subscription(account.stripe_subscription_id)
    account.next_payment_amount = account.next_payment_at = None
    if subscription is not None:
        _apply_subscription(gateway, account, subscription)
        if subscription.status not in {"canceled", "incomplete_expired"}:
            upcoming = await gateway.upcoming_invoice(customer.id, subscription.id)
            if upcoming is not None:
                account.next_payment_amount = upcoming.amount_due
                account.next_payment_at = upcoming.payment_at
    account.synced_at = datetime.now(UTC)


class InvalidSignature(TrackrError):
    status = 400
    code = "invalid-signature"
    title = "Invalid webhook signature"


def verify_webhook(
    payload: bytes, header: str | None, secret: str, tolerance: int
) -> dict[str, Any]:
    """The event of a delivery whose `Stripe-Signature` is valid and whose timestamp is
    within `tolerance` seconds of now, either way (the SDK refuses only stale ones)."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode(), header, secret, tolerance)
    except UnicodeDecodeError as exc:
        raise InvalidSignature("The body is not UTF-8 text, so not what Stripe signed.") from exc
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature(str(exc).split(";")[0][:200]) from exc
    assert header is not None
    timestamp = next(int(part[2:]) for part in header.split(",") if part.startswith("t="))
    if timestamp > time.time() + tolerance:
        raise InvalidSignature("Timestamp is in the future, beyond the tolerance zone.")
    event = _event_of(payload)
    if event is None:
        raise TrackrError("The body is not a Stripe event.")
    return event


def _event_of(payload: bytes) -> dict[str, Any] | None:
    """The event a body holds (see StripeEventIn), or None when it is not one."""
    try:
        parsed = StripeEventIn.model_validate_json(payload)
        event = _storable(json.loads(payload))
    except (ValidationError, ValueError):
        return None
    assert isinstance(event, dict)
    event.update(id=_storable(parsed.id), type=_storable(parsed.type), created=parsed.created)
    return event


def _storable(value: Any) -> Any:
    """`value` with what PostgreSQL text cannot hold (NUL, unpaired surrogates) replaced by
    U+FFFD. Stripe sends neither; a signed body that does is stored rather than lost."""
    if isinstance(value, str):
        if "\x00" not in value and value.isascii():
            return value  # the common case, checked at C speed
        return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


async def receive_event(session: AsyncSession, arq: ArqRedis, event: dict[str, Any]) -> bool:
    """Store a verified event once; returns whether this delivery stored it. An event still
    to be processed (new, or a repeat of one not processed yet) is handed to the worker
    once the transaction committed."""
    stored = await repository.store_event(
        session,
        event_id=str(event["id"]),
        type_=str(event["type"]),
        created=datetime.fromtimestamp(int(event["created"]), UTC),
        payload=event,
    )
    if stored or not await repository.is_processed(session, str(event["id"])):
        after_commit(session, functools.partial(_enqueue, arq, str(event["id"])))
    return stored


async def _enqueue(arq: ArqRedis, event_id: str) -> None:
    await enqueue_event(arq, event_id)


# The events the worker acts on; any other is stored and marked ignored.
HANDLED_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
        "payment_method.attached",
        "customer.updated",
    }
)


def _customer_of(event: dict[str, Any]) -> str | None:
    obj = event.get("data", {}).get("object", {})
    if obj.get("object") == "customer":
        return str(obj["id"])
    customer = obj.get("customer")
    if isinstance(customer, dict):
        return str(customer["id"])
    return str(customer) if customer else None


async def process_event(session: AsyncSession, gateway: StripeGateway, event_id: str) -> str:
    """Apply a stored event, once: the event row is locked and marked processed in the same
    transaction as the change, so a second worker holding the same event waits, then finds
    it done. Applying means re-reading the customer and subscription from Stripe, so events
    replayed or taken out of order leave the account as Stripe has it."""
    event = await repository.lock_event(session, event_id)
    if event is None:
        return "missing"
    if event.processed_at is not None:
        return "already processed"
    event.attempts += 1
    customer_id = _customer_of(event.payload)
    account = (
        await repository.lock_account_of_customer(session, customer_id) if customer_id else None
    )
    if event.type not in HANDLED_EVENTS or account is None:
        outcome = "ignored"
    else:
        obj = event.payload["data"]["object"]
        subscription = None
        if event.type.startswith("customer.subscription."):
            subscription = await _adopt(gateway, account, str(obj["id"]))
        await refresh(account, gateway, subscription=subscription)
        event.company_id = account.company_id
        outcome = "applied"
    event.outcome = outcome
    event.processed_at = datetime.now(UTC)
    return outcome


async def _adopt(
    gateway: StripeGateway, account: BillingAccount, subscription_id: str
) -> SubscriptionSnapshot | None:
    """The subscription an event names, if it is (or should become) the company's: the one
    on file, or a live one replacing a subscription that ended (one made in the dashboard)."""
    if subscription_id == account.stripe_subscription_id:
        return None  # refresh re-reads the one on file
    subscription = await gateway.subscription(subscription_id)
    if account.stripe_subscription_id is None or (
        subscription.status in LIVE_STATUSES and account.status not in LIVE_STATUSES
    ):
        return subscription
    return None


async def note_failure(session: AsyncSession, event_id: str, error: str) -> None:
    """Record why applying a stored event failed (the worker retries it)."""
    await repository.note_failure(session, event_id, error)


async def pending_events(session: AsyncSession, older_than: datetime, limit: int) -> list[str]:
    """Events received before `older_than` and still not processed: the sweeper's input."""
    return await repository.pending_events(session, older_than, limit)
