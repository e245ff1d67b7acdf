"""Billing of the company itself, against the local fake Stripe through the real SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from tests.billing.helpers import account, add_card, events_of, subscribe
from tests.conftest import client_for
from tests.factories import Caller, member, signup
from tests.fakes.stripe import FakeStripe

DAY = 24 * 3600


async def test_a_new_company_is_on_basic_without_a_subscription(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    response = await client.get("/v1/billing", headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["plan"] == "basic"
    assert body["status"] == "none"
    assert body["users"] == {"used": 1, "limit": 3}
    assert body["card"] is None
    assert body["next_payment"] is None
    assert [p["code"] for p in body["plans"]] == ["basic", "plus"]
    assert body["plans"][1]["prices"] == [
        {"interval": "month", "amount": 4900, "currency": "usd"},
        {"interval": "year", "amount": 49000, "currency": "usd"},
    ]


async def test_billing_is_for_admins_only(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    everything = await member(
        client, admin, ["customers:read", "orders:read", "settings:write", "reports:read"]
    )
    for method, path in [
        ("GET", "/v1/billing"),
        ("POST", "/v1/billing/setup-intent"),
        ("PUT", "/v1/billing/subscription"),
    ]:
        response = await client.request(
            method, path, headers=everything.headers, json={"plan": "plus"}
        )
        assert response.status_code == 403, (path, response.text)
        assert response.json()["permission"] == "billing:manage"


async def test_subscribing_shows_the_card_the_plan_and_the_next_payment(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    body = await subscribe(client, admin, fake_stripe, "basic", "month")
    assert body["plan"] == "basic"
    assert body["interval"] == "month"
    assert body["status"] == "active"
    assert body["past_due"] is False
    assert body["card"]["last4"] == "4242"
    assert body["next_payment"]["amount"] == 2900
    assert body["next_payment"]["currency"] == "usd"
    # GET serves the local copy.
    again = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert again == body


async def test_a_first_subscription_needs_a_card(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "basic"}
    )
    assert response.status_code == 409, response.text
    assert response.json()["reason"] == "payment_method_required"


async def test_an_unknown_payment_method_is_422_naming_the_field(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    for value in ["pm_doesnotexist", "not-a-pm"]:
        response = await client.put(
            "/v1/billing/payment-method",
            headers=admin.headers,
            json={"payment_method_id": value},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "payment_method_id"


async def test_another_customers_card_is_refused(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    one, other = await signup(client), await signup(client)
    card = await add_card(client, one, fake_stripe)
    response = await client.put(
        "/v1/billing/payment-method", headers=other.headers, json={"payment_method_id": card}
    )
    assert response.status_code == 422, response.text


async def test_an_upgrade_charges_what_the_preview_showed_at_once(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "basic", "month")
    row = await account(app, admin.company_id)
    assert row.stripe_customer_id is not None
    fake_stripe.advance(15 * DAY)

    preview = await client.post(
        "/v1/billing/subscription/preview",
        headers=admin.headers,
        json={"plan": "plus", "interval": "month"},
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["change"] == "upgrade"
    assert shown["proration_behavior"] == "always_invoice"
    prorations = [line for line in shown["lines"] if line["proration"]]
    assert len(prorations) == 2
    assert (
        min(line["amount"] for line in prorations) < 0 < max(line["amount"] for line in prorations)
    )
    assert shown["amount_due"] == sum(line["amount"] for line in shown["lines"])
    assert 0 < shown["amount_due"] < 4900

    paid_before = len(events_of(fake_stripe, row.stripe_customer_id, "invoice.paid"))
    response = await client.put(
        "/v1/billing/subscription",
        headers=admin.headers,
        json={"plan": "plus", "interval": "month", "proration_date": shown["proration_date"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["plan"] == "plus"
    assert response.json()["users"]["limit"] == 10
    paid = events_of(fake_stripe, row.stripe_customer_id, "invoice.paid")[paid_before:]
    assert [e["data"]["object"]["amount_paid"] for e in paid] == [shown["amount_due"]]


async def test_a_downgrade_credits_the_difference_to_the_next_invoice(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "plus", "month")
    fake_stripe.advance(10 * DAY)
    preview = (
        await client.post(
            "/v1/billing/subscription/preview",
            headers=admin.headers,
            json={"plan": "basic", "interval": "month"},
        )
    ).json()
    assert preview["change"] == "downgrade"
    assert preview["proration_behavior"] == "create_prorations"
    credit = sum(line["amount"] for line in preview["lines"] if line["proration"])
    assert credit < 0

    response = await client.put(
        "/v1/billing/subscription",
        headers=admin.headers,
        json={"plan": "basic", "interval": "month", "proration_date": preview["proration_date"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["plan"] == "basic"
    # Nothing charged now: the credit lowers the next payment below the plan's price.
    assert body["next_payment"]["amount"] == 2900 + credit
    assert body["next_payment"]["amount"] == preview["amount_due"]


async def test_the_same_plan_again_changes_nothing(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    first = await subscribe(client, admin, fake_stripe, "basic", "month")
    before = len(fake_stripe.requests)
    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "basic"}
    )
    assert response.status_code == 200
    assert response.json()["plan"] == first["plan"]
    changes = [
        r for r in fake_stripe.requests[before:] if r.method == "POST" and "preview" not in r.path
    ]
    assert changes == []


async def _add_users(client: httpx.AsyncClient, admin: Caller, count: int) -> list[Caller]:
    return [await member(client, admin, ["customers:read"]) for _ in range(count)]


async def test_the_plan_limits_active_users(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await _add_users(client, admin, 2)  # 3 with the admin: Basic's limit
    response = await client.post(
        "/v1/users",
        headers=admin.headers,
        json={"email": "fourth@example.com", "name": "Four", "password": "correct-horse-battery"},
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/plan-limit-reached")
    assert (problem["plan"], problem["limit"], problem["active_users"]) == ("basic", 3, 3)
    assert "Basic" in problem["detail"]
    assert "3" in problem["detail"]

    await subscribe(client, admin, fake_stripe, "plus", "month")
    users = await _add_users(client, admin, 2)  # 5 on Plus

    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "basic"}
    )
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/plan-limit-reached")
    assert response.json()["limit"] == 3
    # The refusal came before Stripe was asked anything: still on Plus.
    assert (await client.get("/v1/billing", headers=admin.headers)).json()["plan"] == "plus"

    for user in users:
        response = await client.post(f"/v1/users/{user.user_id}/disable", headers=admin.headers)
        assert response.status_code == 200, response.text
    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "basic"}
    )
    assert response.status_code == 200, response.text
    # Enabling a user again is adding one.
    response = await client.post(f"/v1/users/{users[0].user_id}/enable", headers=admin.headers)
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/plan-limit-reached")


@pytest.fixture
async def unconfigured(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(
        settings.model_copy(update={"stripe_api_key": None, "stripe_webhook_secret": None})
    )
    async with application.router.lifespan_context(application), client_for(application) as http:
        yield http


async def test_without_stripe_keys_billing_is_a_clear_503(
    unconfigured: httpx.AsyncClient,
) -> None:
    admin = await signup(unconfigured)
    for method, path, body in [
        ("GET", "/v1/billing", None),
        ("POST", "/v1/billing/setup-intent", None),
        ("PUT", "/v1/billing/subscription", {"plan": "plus"}),
        ("POST", "/v1/webhooks/stripe", {"id": "evt_1"}),
    ]:
        response = await unconfigured.request(method, path, headers=admin.headers, json=body)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "not configured" in response.json()["detail"]


def _snapshot(row: Any) -> dict[str, Any]:
    return {c: getattr(row, c) for c in row.__table__.columns.keys()}  # noqa: SIM118


@pytest.mark.parametrize(
    ("mode", "status"), [("500", 502), ("timeout", 503), ("malformed", 502), ("503", 503)]
)
async def test_a_failing_stripe_is_a_502_or_503_and_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, fake_stripe: FakeStripe, mode: str, status: int
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "basic", "month")
    before = _snapshot(await account(app, admin.company_id))

    fake_stripe.fail_next(mode, times=2, path_prefix="/v1/subscriptions/")
    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "plus"}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Stripe" in response.json()["detail"]
    assert _snapshot(await account(app, admin.company_id)) == before

    # Stripe back: the retry goes through once.
    fake_stripe.clear_faults()
    response = await client.put(
        "/v1/billing/subscription", headers=admin.headers, json={"plan": "plus"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["plan"] == "plus"


async def test_a_proration_date_outside_the_period_is_422_naming_it(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "basic", "month")
    for path, method in [
        ("/v1/billing/subscription/preview", "POST"),
        ("/v1/billing/subscription", "PUT"),
    ]:
        response = await client.request(
            method, path, headers=admin.headers, json={"plan": "plus", "proration_date": 1}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "proration_date"
