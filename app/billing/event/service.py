"""Stripe's events about the company subscriptions: verified on the raw body, stored once,
handed to the worker after commit, and applied by the worker by re-reading Stripe (so a
replayed or out-of-order event cannot corrupt the account). Redis only delivers: the event
row is the work, so a delivery lost on the way is found again by the sweeper
(workers/stripe_events.py)."""

from __future__ import annotations

import functools
import json
import time
from datetime import UTC, datetime
from typing import Any

import stripe
import structlog
from arq.connections import ArqRedis
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing import repository
from app.billing.gateway import StripeGateway, SubscriptionSnapshot
from app.billing.models import BillingAccount
from app.billing.schemas import StripeEventIn
from app.billing.sync import LIVE_STATUSES, refresh
from app.errors import TrackrError
from app.kit.transaction import after_commit

log = structlog.get_logger(__name__)

PROCESS_JOB = "process_stripe_event"


async def enqueue_event(arq: ArqRedis, event_id: str) -> bool:
    """Enqueue one event under its own id as the job id, so arq holds at most one job per
    event however many deliveries and sweeps ask. False when Redis could not be reached."""
    try:
        await arq.enqueue_job(PROCESS_JOB, event_id, _job_id=event_id)
    except (RedisError, OSError) as exc:
        log.warning("stripe_event_enqueue_failed", event_id=event_id, error=str(exc))
        return False
    return True


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
