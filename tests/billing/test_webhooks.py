"""Stripe's webhooks: signed deliveries stored once, applied once, in any order."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.billing.models import BillingAccount, StripeEvent
from tests.billing.helpers import (
    account,
    deliver,
    events_of,
    process,
    stored_event,
    subscribe,
    worker_ctx,
)
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import signup
from tests.fakes.stripe import FakeStripe
from workers.stripe_events import sweep_stripe_events

SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)


async def _subscribed(client: httpx.AsyncClient, app: FastAPI, fake: FakeStripe) -> tuple[Any, str]:
    admin = await signup(client)
    await subscribe(client, admin, fake, "basic", "month")
    row = await account(app, admin.company_id)
    assert row.stripe_customer_id is not None
    return admin, row.stripe_customer_id


async def _queued(app: FastAPI, job_id: str) -> bool:
    score = await app.state.arq.zscore(app.state.settings.arq_queue_name, job_id)
    return score is not None


async def test_a_delivery_is_stored_enqueued_and_answered(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    _, customer_id = await _subscribed(client, app, fake_stripe)
    event = events_of(fake_stripe, customer_id, "customer.subscription.created")[0]
    response = await deliver(client, fake_stripe, event)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}
    row = await stored_event(app, event["id"])
    assert row is not None
    assert row.processed_at is None
    assert row.type == "customer.subscription.created"
    assert await _queued(app, event["id"])  # the event id is the job id


async def test_ten_identical_deliveries_have_one_effect(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    admin, customer_id = await _subscribed(client, app, fake_stripe)
    event = events_of(fake_stripe, customer_id, "customer.subscription.created")[0]
    answers = [await deliver(client, fake_stripe, event) for _ in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    assert [a.json()["duplicate"] for a in answers] == [False] + [True] * 9
    outcomes = [await process(app, event["id"]) for _ in range(10)]
    assert outcomes == ["applied"] + ["already processed"] * 9
    row = await stored_event(app, event["id"])
    assert row is not None
    assert row.attempts == 1
    assert row.outcome == "applied"
    assert str(row.company_id) == admin.company_id


async def test_ten_concurrent_deliveries_have_one_effect(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    _, customer_id = await _subscribed(client, app, fake_stripe)
    event = events_of(fake_stripe, customer_id, "invoice.paid")[0]
    answers = await asyncio.gather(*(deliver(client, fake_stripe, event) for _ in range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 10
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * 9
    async with app.state.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(StripeEvent).where(StripeEvent.id == event["id"])
        )
    assert count == 1
    outcomes = await asyncio.gather(*(process(app, event["id"]) for _ in range(10)))
    assert sorted(outcomes) == ["already processed"] * 9 + ["applied"]
    row = await stored_event(app, event["id"])
    assert row is not None
    assert row.attempts == 1


async def test_tampered_stale_future_and_missing_signatures_are_400(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    _, customer_id = await _subscribed(client, app, fake_stripe)
    event = events_of(fake_stripe, customer_id)[0]
    body, headers = fake_stripe.signed(event, STRIPE_WEBHOOK_SECRET)
    tampered = body.replace(customer_id.encode(), b"cus_someoneelse")
    now = int(time.time())
    cases: list[tuple[str, bytes, dict[str, str]]] = [
        ("tampered", tampered, headers),
        ("stale", *fake_stripe.signed(event, STRIPE_WEBHOOK_SECRET, timestamp=now - 301)),
        ("future", *fake_stripe.signed(event, STRIPE_WEBHOOK_SECRET, timestamp=now + 301)),
        ("wrong secret", *fake_stripe.signed(event, "whsec_not_ours")),
        ("missing", body, {}),
        ("garbage", body, {"Stripe-Signature": "t=abc,v1=zz"}),
    ]
    for name, content, sent in cases:
        response = await client.post("/v1/webhooks/stripe", content=content, headers=sent)
        assert response.status_code == 400, (name, response.text)
        assert response.json()["type"].endswith("/invalid-signature"), name
    assert await stored_event(app, event["id"]) is None
    # Within the tolerance either way is fine (clocks differ a little).
    for skew in (-290, 290):
        response = await deliver(client, fake_stripe, event, timestamp=now + skew)
        assert response.status_code == 200, response.text


async def test_a_signed_body_that_is_not_an_event_is_400(client: httpx.AsyncClient) -> None:
    import stripe

    payload = json.dumps({"hello": "world"})
    header = stripe.WebhookSignature.generate_signature_header(payload, STRIPE_WEBHOOK_SECRET)
    response = await client.post(
        "/v1/webhooks/stripe", content=payload, headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400, response.text


async def test_events_of_unknown_customers_and_types_are_ignored(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    event: dict[str, Any] = {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {"object": {"object": "charge", "id": "ch_1", "customer": "cus_nobody"}},
    }
    assert (await deliver(client, fake_stripe, event)).status_code == 200
    assert await process(app, event["id"]) == "ignored"


async def test_a_failed_payment_marks_past_due_and_a_paid_one_restores(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    admin, customer_id = await _subscribed(client, app, fake_stripe)
    row = await account(app, admin.company_id)
    assert row.stripe_subscription_id is not None
    seen = len(events_of(fake_stripe, customer_id))

    fake_stripe.decline_cards = True
    try:
        fake_stripe.renew(row.stripe_subscription_id)
    finally:
        fake_stripe.decline_cards = False
    failed = events_of(fake_stripe, customer_id, "invoice.payment_failed")
    assert failed
    assert (await deliver(client, fake_stripe, failed[-1])).status_code == 200
    assert await process(app, failed[-1]["id"]) == "applied"
    billing = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert billing["past_due"] is True
    assert billing["status"] == "past_due"
    assert billing["plan"] == "basic"
    assert billing["users"]["limit"] == 3

    fake_stripe.pay_invoice(failed[-1]["data"]["object"]["id"])
    for event in events_of(fake_stripe, customer_id)[seen:]:
        await deliver(client, fake_stripe, event)
        await process(app, event["id"])
    billing = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert billing["past_due"] is False
    assert billing["status"] == "active"


async def test_a_card_changed_at_stripe_reaches_the_billing_page(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    admin, customer_id = await _subscribed(client, app, fake_stripe)
    seen = len(events_of(fake_stripe, customer_id))
    # Done in Stripe's dashboard, not through us: a new card, made the default.
    card = fake_stripe.create_payment_method(last4="1881", customer=customer_id)
    await app.state.stripe.v1.customers.update_async(
        customer_id, params={"invoice_settings": {"default_payment_method": card}}
    )
    events = events_of(fake_stripe, customer_id)[seen:]
    assert {"payment_method.attached", "customer.updated"} <= {e["type"] for e in events}
    for event in events:
        await deliver(client, fake_stripe, event)
        await process(app, event["id"])
    billing = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert billing["card"]["last4"] == "1881"


async def test_shuffled_subscription_events_end_in_the_same_state(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    admin, customer_id = await _subscribed(client, app, fake_stripe)
    for plan, interval in [("plus", "month"), ("plus", "year"), ("basic", "year")]:
        response = await client.put(
            "/v1/billing/subscription",
            headers=admin.headers,
            json={"plan": plan, "interval": interval},
        )
        assert response.status_code == 200, response.text
    final = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert (final["plan"], final["interval"]) == ("basic", "year")
    events = events_of(fake_stripe, customer_id, *SUBSCRIPTION_EVENTS, "invoice.paid")
    assert len(events) >= 5
    for event in events:
        assert (await deliver(client, fake_stripe, event)).status_code == 200

    company_id = uuid.UUID(admin.company_id)
    for seed in range(5):
        # Forget what was applied: the local copy back to "monthly Basic, stale", the
        # events unprocessed; then apply them in another order.
        async with app.state.sessions.begin() as session:
            await session.execute(
                update(BillingAccount)
                .where(BillingAccount.company_id == company_id)
                .values(plan="basic", interval="month", status="incomplete", balance=0)
            )
            await session.execute(
                update(StripeEvent)
                .where(StripeEvent.id.in_([e["id"] for e in events]))
                .values(processed_at=None)
            )
        order = events[:]
        random.Random(seed).shuffle(order)  # noqa: S311 - a test order, not a secret
        for event in order:
            assert await process(app, event["id"]) == "applied"
        billing = (await client.get("/v1/billing", headers=admin.headers)).json()
        for field in ("plan", "interval", "status", "balance", "next_payment", "card"):
            assert billing[field] == final[field], (seed, field)


async def test_the_sweeper_enqueues_events_left_unprocessed(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    _, customer_id = await _subscribed(client, app, fake_stripe)
    event = events_of(fake_stripe, customer_id, "invoice.paid")[0]
    assert (await deliver(client, fake_stripe, event)).status_code == 200
    # As if Redis lost the job: gone from the queue, and received a while ago.
    queue = app.state.settings.arq_queue_name
    await app.state.arq.zrem(queue, event["id"])
    await app.state.arq.delete(f"arq:job:{event['id']}")
    async with app.state.sessions.begin() as session:
        await session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event["id"])
            .values(received_at=func.now() - func.make_interval(0, 0, 0, 0, 1))
        )
    assert not await _queued(app, event["id"])
    assert await sweep_stripe_events(worker_ctx(app)) == 1
    assert await _queued(app, event["id"])
