"""The public order form API (issue 13): no credentials; a submission creates (or links) a
customer and an order waiting for review, once, whatever the retries; bots are dropped
silently; limits per IP and per form; nothing private is shown."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_for, make_settings, running
from tests.factories import create_customer, signup
from tests.order_form.helpers import enable_form
from tests.public.helpers import aged_token, company_with_form, submit, visitor_ip


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, client_ip=visitor_ip()) as http:
        yield http


async def _orders(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, object]]:
    response = await client.get("/v1/orders?review_state=pending", headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, object]] = response.json()["data"]
    return data


async def test_definition_shows_the_form_and_nothing_private(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    response = await client.get(f"/v1/public/forms/{slug}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["company_name"] == "Acme Installers"
    assert [f["name"] for f in body["fields"]] == [
        "name",
        "email",
        "phone",
        "address",
        "message",
        "referral",
    ]
    assert body["referral_options"][0] == "Search engine"
    assert body["form_token"]
    assert set(body) == {
        "company_name",
        "fields",
        "referral_options",
        "style",
        "logo_url",
        "form_token",
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (await client.get("/v1/public/forms/no-such-company")).status_code == 404
    await client.put(
        "/v1/company/order-form",
        headers=admin.headers,
        json={"enabled": False, "fields": {}, "thank_you_message": "x"},
    )
    assert (await client.get(f"/v1/public/forms/{slug}")).status_code == 404


async def test_submission_creates_customer_and_pending_order(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    response = await submit(
        client,
        app,
        slug,
        message="Leaking <b>heater</b>",
        referral="Social media",
        phone="415 555 0100",
    )
    assert response.status_code == 202, response.text
    assert response.json()["thank_you_message"] == "Thanks! We will call you soon."
    reference = response.json()["reference"]
    orders = await _orders(client, admin.headers)
    assert len(orders) == 1
    order = orders[0]
    assert order["id"] == reference
    assert order["source"] == "public_form"
    assert order["review_state"] == "pending"
    assert order["referral"] == "Social media"
    customer = await client.get(f"/v1/customers/{order['customer_id']}", headers=admin.headers)
    assert customer.json()["name"] == "Grace Visitor"
    assert customer.json()["phone"] == "+14155550100"
    notes = await client.get(f"/v1/orders/{reference}/notes", headers=admin.headers)
    assert [n["body"] for n in notes.json()["data"]] == ["Leaking <b>heater</b>"]
    panel = await client.get("/v1/me/notifications", headers=admin.headers)
    assert [n["kind"] for n in panel.json()["data"]] == ["order_submitted"]


async def test_existing_email_links_without_changing_or_revealing(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    customer_id = await create_customer(
        client, admin, name="Grace Existing", email="grace@example.com", phone="+14155550111"
    )
    before = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    linked = await submit(
        client, app, slug, name="Someone Else", email="GRACE@example.com", phone="415 555 0999"
    )
    fresh = await submit(client, app, slug, name="Someone Else")
    assert linked.status_code == fresh.status_code == 202
    assert set(linked.json()) == set(fresh.json()) == {"reference", "thank_you_message"}
    after = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    assert after.pop("is_lead") is False  # it has an order now: derived, not its data
    before.pop("is_lead")
    assert after == before
    orders = {o["id"]: o for o in await _orders(client, admin.headers)}
    assert orders[linked.json()["reference"]]["customer_id"] == customer_id
    assert orders[fresh.json()["reference"]]["customer_id"] != customer_id


async def test_one_order_per_idempotency_key_and_per_form_token(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    token = aged_token(app, slug)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await submit(client, app, slug, headers=key, email="a@example.com", form_token=token)
    again = await submit(client, app, slug, headers=key, email="a@example.com", form_token=token)
    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    # Without a key, a double click sends the same token: its nonce keys it.
    double = [
        await submit(client, app, slug, email="b@example.com", form_token=token2)
        for token2 in [aged_token(app, slug)] * 2
    ]
    assert [r.status_code for r in double] == [202, 202]
    assert double[0].json() == double[1].json()
    assert len(await _orders(client, admin.headers)) == 2
    customers = await client.get("/v1/customers", headers=admin.headers)
    assert len(customers.json()["data"]) == 2


async def test_bots_are_answered_and_dropped(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin, slug = await company_with_form(client)
    trap = await submit(client, app, slug, website="http://spam.example")
    fast = await submit(client, app, slug, form_token=aged_token(app, slug, age=0.5))
    forged = await submit(client, app, slug, form_token="not-a-token")
    other = await submit(client, app, slug, form_token=aged_token(app, "another-form"))
    for response in (trap, fast, forged, other):
        assert response.status_code == 202, response.text
        assert set(response.json()) == {"reference", "thank_you_message"}
    assert await _orders(client, admin.headers) == []
    assert (await client.get("/v1/customers", headers=admin.headers)).json()["data"] == []
    expired = await submit(client, app, slug, form_token=aged_token(app, slug, age=2 * 86400))
    assert expired.status_code == 422
    assert expired.json()["errors"][0]["field"] == "form_token"


async def test_validation_names_each_field(client: httpx.AsyncClient, app: FastAPI) -> None:
    _, slug = await company_with_form(
        client, fields={"email": {"required": True}, "referral": {}, "message": {"required": True}}
    )
    response = await submit(
        client, app, slug, email=None, phone="415 555 0100", referral="Carrier pigeon"
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields == {
        "email": "is required",
        "message": "is required",
        "phone": "is not on this form",
        "referral": "is not one of the form's options",
    }
    bad = await submit(client, app, slug, email="not-an-email", message="hi")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "email"


async def test_cors_allows_the_company_origins_only(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    _, slug = await company_with_form(client)
    path = f"/v1/public/forms/{slug}/submissions"
    ours = await client.options(
        path,
        headers={"Origin": "https://www.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert ours.status_code == 204
    assert ours.headers["access-control-allow-origin"] == "https://www.example.com"
    assert "Idempotency-Key" in ours.headers["access-control-allow-headers"]
    theirs = await client.options(
        path, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in theirs.headers
    posted = await submit(client, app, slug, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in posted.headers


async def test_body_size_limit(client: httpx.AsyncClient, app: FastAPI) -> None:
    _, slug = await company_with_form(client)
    response = await submit(client, app, slug, message="x" * 70_000)
    assert response.status_code == 413


async def test_limits_per_ip_and_per_form(database_url: str, redis_url: str) -> None:
    settings = make_settings(
        database_url,
        redis_url,
        public_form_submissions_per_ip_per_minute=20,
        public_form_submissions_per_form_per_minute=30,
    )
    async with running(settings) as app:
        async with client_for(app, client_ip=visitor_ip()) as one_ip:
            admin, slug = await company_with_form(one_ip)
            statuses = [(await submit(one_ip, app, slug)).status_code for _ in range(100)]
            assert statuses.count(202) == 20, statuses
            limited = await submit(one_ip, app, slug)
            assert limited.status_code == 429
            assert int(limited.headers["retry-after"]) >= 1
        spread = []
        for _ in range(15):
            async with client_for(app, client_ip=visitor_ip()) as other_ip:
                spread.append((await submit(other_ip, app, slug)).status_code)
        assert spread.count(202) == 10  # the form's 30 a minute, 20 of them used above
        async with client_for(app, client_ip=visitor_ip()) as http:
            assert len(await _orders(http, admin.headers)) == 30


async def test_custom_fields_on_the_form(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await signup(client)
    for entity, key, kind, options in (
        ("customer", "gate_code", "text", []),
        ("order", "rooms", "number", []),
        ("order", "colour", "select", ["Red", "Blue"]),
    ):
        created = await client.post(
            "/v1/custom-fields",
            headers=admin.headers,
            json={"entity": entity, "key": key, "label": key.title(), "type": kind}
            | ({"options": options} if options else {}),
        )
        assert created.status_code == 201, created.text
    form = await enable_form(
        client,
        admin,
        fields={
            "email": {"required": True},
            "cf.gate_code": {},
            "cf.rooms": {"required": True},
            "cf.colour": {},
        },
    )
    slug = form["slug"]
    definition = (await client.get(f"/v1/public/forms/{slug}")).json()
    assert [(f["name"], f["type"], f["required"]) for f in definition["fields"]] == [
        ("name", "text", True),
        ("email", "email", True),
        ("cf.colour", "select", False),
        ("cf.gate_code", "text", False),
        ("cf.rooms", "number", True),
    ]
    missing = await submit(client, app, slug, custom_fields={"gate_code": "1234"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "custom_fields.rooms"
    for rooms in ("nan", "Infinity", "three"):
        refused = await submit(client, app, slug, custom_fields={"rooms": rooms})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "custom_fields.rooms"
    wrong = await submit(client, app, slug, custom_fields={"rooms": 3, "colour": "Green"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "custom_fields.colour"
    sent = await submit(
        client, app, slug, custom_fields={"gate_code": "1234", "rooms": "3", "colour": "Red"}
    )  # "3": as a plain HTML form sends it
    assert sent.status_code == 202, sent.text
    order = (
        await client.get(f"/v1/orders/{sent.json()['reference']}", headers=admin.headers)
    ).json()
    assert order["custom_fields"] == {"rooms": 3, "colour": "Red"}
    customer = await client.get(f"/v1/customers/{order['customer_id']}", headers=admin.headers)
    assert customer.json()["custom_fields"] == {"gate_code": "1234"}
