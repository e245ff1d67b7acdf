"""Acting as a billing admin and as Stripe would: through the API and the fake's controls."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.billing.models import BillingAccount, StripeEvent
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import Caller
from tests.fakes.stripe import FakeStripe
from workers.stripe_events import process_stripe_event


async def add_card(
    client: httpx.AsyncClient, admin: Caller, fake: FakeStripe, last4: str = "4242"
) -> str:
    """Collect a card as Stripe.js would (the setup intent's client secret, confirmed at
    Stripe), then make it the default."""
    response = await client.post("/v1/billing/setup-intent", headers=admin.headers)
    assert response.status_code == 201, response.text
    payment_method_id = fake.confirm_setup_intent(response.json()["id"], last4=last4)
    response = await client.put(
        "/v1/billing/payment-method",
        headers=admin.headers,
        json={"payment_method_id": payment_method_id},
    )
    assert response.status_code == 200, response.text
    return payment_method_id


async def subscribe(
    client: httpx.AsyncClient,
    admin: Caller,
    fake: FakeStripe,
    plan: str = "basic",
    interval: str = "month",
) -> dict[str, Any]:
    await add_card(client, admin, fake)
    response = await client.put(
        "/v1/billing/subscription",
        headers=admin.headers,
        json={"plan": plan, "interval": interval},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def account(app: FastAPI, company_id: str) -> BillingAccount:
    async with app.state.sessions() as session:
        row: BillingAccount | None = await session.get(BillingAccount, uuid.UUID(company_id))
        assert row is not None
        return row


def customer_of(event: dict[str, Any]) -> str | None:
    obj = event["data"]["object"]
    if obj.get("object") == "customer":
        return str(obj["id"])
    customer = obj.get("customer")
    return str(customer["id"] if isinstance(customer, dict) else customer) if customer else None


def events_of(fake: FakeStripe, customer_id: str, *types: str) -> list[dict[str, Any]]:
    return [
        e
        for e in list(fake.events)
        if customer_of(e) == customer_id and (not types or e["type"] in types)
    ]


async def deliver(
    client: httpx.AsyncClient, fake: FakeStripe, event: dict[str, Any], **sign: Any
) -> httpx.Response:
    body, headers = fake.signed(event, STRIPE_WEBHOOK_SECRET, **sign)
    return await client.post("/v1/webhooks/stripe", content=body, headers=headers)


def worker_ctx(app: FastAPI) -> dict[str, Any]:
    """What the arq worker's startup puts in ctx, built from the test app's own parts."""
    return {
        "sessions": app.state.sessions,
        "stripe": app.state.stripe,
        "settings": app.state.settings,
        "redis": app.state.arq,
        "job_try": 1,
    }


async def process(app: FastAPI, event_id: str) -> str:
    return await process_stripe_event(worker_ctx(app), event_id)


async def stored_event(app: FastAPI, event_id: str) -> StripeEvent | None:
    async with app.state.sessions() as session:
        row: StripeEvent | None = await session.scalar(
            select(StripeEvent).where(StripeEvent.id == event_id)
        )
        return row
