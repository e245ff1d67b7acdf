"""The company's billing row as Stripe has it: `refresh` re-reads the customer, the card,
the subscription and the next payment into the account. Both the changes made here and the
events Stripe sends end with it, so the row never trusts a snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from app.billing import plans
from app.billing.gateway import StripeGateway, SubscriptionSnapshot
from app.billing.models import BillingAccount

# Subscription statuses in which the plan paid for applies (past due: Stripe still retries).
LIVE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid"})
PAST_DUE_STATUSES = frozenset({"past_due", "unpaid"})


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
