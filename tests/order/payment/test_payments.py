"""Payments against an order: never beyond the balance due (not even 20 at once), dated
today in the company's timezone by default, immutable, deleted permanently and audited,
an Idempotency-Key retry recorded once, behind their own permission."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from tests.factories import Caller, create_order, member, signup


def _url(order_id: str, payment_id: str | None = None) -> str:
    base = f"/v1/orders/{order_id}/payments"
    return base if payment_id is None else f"{base}/{payment_id}"


async def _order_owing(client: httpx.AsyncClient, caller: Caller, amount: int) -> str:
    """A new order whose total (and balance due) is `amount`."""
    order_id = await create_order(client, caller)
    line = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=caller.headers,
        json={"name": "Install", "unit_amount": amount},
    )
    assert line.status_code == 201, line.text
    return order_id


async def _pay(
    client: httpx.AsyncClient, caller: Caller, order_id: str, amount: int, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        _url(order_id), headers=caller.headers, json={"amount": amount, **fields}
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == _url(order_id, response.json()["id"])
    payment: dict[str, Any] = response.json()
    return payment


async def _money(client: httpx.AsyncClient, caller: Caller, order_id: str) -> tuple[int, ...]:
    response = await client.get(f"/v1/orders/{order_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    order = response.json()
    return order["total"], order["amount_paid"], order["balance_due"]


async def test_a_payment_is_recorded_and_lowers_the_balance(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 10_000)
    payment = await _pay(
        client,
        admin,
        order_id,
        2500,
        paid_on="2026-01-15",
        method="check",
        reference="1042",
        note="Deposit",
    )
    assert payment["order_id"] == order_id
    assert (payment["amount"], payment["paid_on"], payment["method"]) == (
        2500,
        "2026-01-15",
        "check",
    )
    assert (payment["reference"], payment["note"]) == ("1042", "Deposit")
    assert payment["recorded_by"] == admin.user_id
    assert await _money(client, admin, order_id) == (10_000, 2500, 7500)
    read = await client.get(_url(order_id, payment["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == payment
    # Immutable: there is no update.
    patch = await client.patch(_url(order_id, payment["id"]), headers=admin.headers, json={})
    assert patch.status_code == 405


async def test_paid_on_defaults_to_today_in_the_company_timezone(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    # UTC+14 and UTC-11: at any hour, at least one of them is not on UTC's date.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        changed = await client.patch("/v1/company", headers=admin.headers, json={"timezone": zone})
        assert changed.status_code == 200, changed.text
        order_id = await _order_owing(client, admin, 100)
        before = datetime.now(ZoneInfo(zone)).date()
        payment = await _pay(client, admin, order_id, 100)
        after = datetime.now(ZoneInfo(zone)).date()
        assert payment["paid_on"] in {before.isoformat(), after.isoformat()}
        assert payment["method"] == "other"


async def test_a_payment_beyond_the_balance_is_a_422_stating_it(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 5000)
    await _pay(client, admin, order_id, 3000)
    response = await client.post(_url(order_id), headers=admin.headers, json={"amount": 2001})
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["amount"]
    assert "balance due 2000" in problem["detail"]
    # Exactly the balance is fine, and then nothing more.
    await _pay(client, admin, order_id, 2000)
    assert await _money(client, admin, order_id) == (5000, 5000, 0)
    again = await client.post(_url(order_id), headers=admin.headers, json={"amount": 1})
    assert again.status_code == 422
    # An order with nothing on it owes nothing.
    empty = await create_order(client, admin)
    nothing = await client.post(_url(empty), headers=admin.headers, json={"amount": 1})
    assert nothing.status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": 10**17}, "amount"),
        ({}, "amount"),
        ({"amount": 1, "method": "bitcoin"}, "method"),
        ({"amount": 1, "paid_on": "yesterday"}, "paid_on"),
        ({"amount": 1, "reference": "x" * 101}, "reference"),
        ({"amount": 1, "note": "a\x00b"}, "note"),
        ({"amount": 1, "recorded_by": str(uuid.uuid4())}, "recorded_by"),
    ],
)
async def test_bad_payments_are_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 100)
    response = await client.post(_url(order_id), headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_list_is_by_date_paid_and_paginated(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 10_000)
    late = await _pay(client, admin, order_id, 100, paid_on="2026-03-01")
    early = await _pay(client, admin, order_id, 200, paid_on="2026-01-01")
    middle = await _pay(client, admin, order_id, 300, paid_on="2026-02-01")
    same_day = await _pay(client, admin, order_id, 400, paid_on="2026-02-01")
    expected = [early["id"], middle["id"], same_day["id"], late["id"]]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(_url(order_id), headers=admin.headers, params=params)).json()
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == expected
    newest = await client.get(_url(order_id), headers=admin.headers, params={"sort": "-paid_on"})
    assert [p["id"] for p in newest.json()["data"]] == expected[::-1]


async def test_delete_is_permanent_and_audited_with_the_amount(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 9000)
    keep = await _pay(client, admin, order_id, 1000)
    drop = await _pay(client, admin, order_id, 4000, method="card")
    assert await _money(client, admin, order_id) == (9000, 5000, 4000)
    url = _url(order_id, drop["id"])
    assert (await client.delete(url, headers=admin.headers)).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert (await client.delete(url, headers=admin.headers)).status_code == 404
    assert await _money(client, admin, order_id) == (9000, 1000, 8000)
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert [p["id"] for p in listed] == [keep["id"]]
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "payment", "entity_id": drop["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["payment.deleted", "payment.created"]
    deleted = events[0]
    assert deleted["after"] is None
    assert (deleted["before"]["amount"], deleted["before"]["method"]) == (4000, "card")
    async with app.state.sessions() as session:
        parents = set(
            (
                await session.execute(
                    select(Event.parent_type, Event.parent_id).where(
                        Event.id.in_([uuid.UUID(e["id"]) for e in events])
                    )
                )
            ).all()
        )
    assert parents == {("orders", uuid.UUID(order_id))}


async def test_a_retried_post_with_the_same_idempotency_key_pays_once(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 5000)
    headers = {**admin.headers, "Idempotency-Key": f"pay-{uuid.uuid4()}"}
    body = {"amount": 3000, "method": "card"}
    first = await client.post(_url(order_id), headers=headers, json=body)
    retry = await client.post(_url(order_id), headers=headers, json=body)
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert [p["id"] for p in listed] == [first.json()["id"]]
    assert await _money(client, admin, order_id) == (5000, 3000, 2000)


async def test_concurrent_payments_never_overpay(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 10_000)
    amounts = [1000] * 12 + [700, 1300, 2500, 400, 900, 1100, 3000, 50]
    responses = await asyncio.gather(
        *(
            client.post(_url(order_id), headers=admin.headers, json={"amount": amount})
            for amount in amounts
        )
    )
    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {201, 422}, [r.text for r in responses if r.status_code >= 500]
    succeeded = [r.json()["amount"] for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code == 422]
    assert succeeded
    assert refused
    assert all(r.json()["errors"][0]["field"] == "amount" for r in refused)
    total, paid, balance = await _money(client, admin, order_id)
    assert paid == sum(succeeded) <= total == 10_000
    assert balance == total - paid >= 0
    listed = (await client.get(_url(order_id), headers=admin.headers, params={"limit": 50})).json()[
        "data"
    ]
    assert sorted(p["amount"] for p in listed) == sorted(succeeded)
    # Each refusal was right: the balance then was below that amount, and it only fell since.
    assert balance < min(
        amount for amount, r in zip(amounts, responses, strict=True) if r.status_code == 422
    )


async def test_payments_have_their_own_permission(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 1000)
    payment = await _pay(client, admin, order_id, 100)
    orders_only = await member(client, admin, ["orders:read", "orders:write"])
    for method, url in (
        ("GET", _url(order_id)),
        ("GET", _url(order_id, payment["id"])),
    ):
        denied = await client.request(method, url, headers=orders_only.headers)
        assert denied.status_code == 403
        assert denied.json()["permission"] == "payments:read"
    reader = await member(client, admin, ["payments:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    for method, url, body in (
        ("POST", _url(order_id), {"amount": 1}),
        ("DELETE", _url(order_id, payment["id"]), None),
    ):
        denied = await client.request(method, url, headers=reader.headers, json=body)
        assert denied.status_code == 403
        assert denied.json()["permission"] == "payments:write"


async def test_payments_are_scoped_to_their_order_and_company(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 1000)
    other_order = await _order_owing(client, admin, 1000)
    payment = await _pay(client, admin, order_id, 100)
    assert (
        await client.get(_url(other_order, payment["id"]), headers=admin.headers)
    ).status_code == 404
    assert (
        await client.delete(_url(other_order, payment["id"]), headers=admin.headers)
    ).status_code == 404
    stranger = await signup(client, "Stranger Co")
    for method in ("GET", "DELETE"):
        response = await client.request(
            method, _url(order_id, payment["id"]), headers=stranger.headers
        )
        assert response.status_code == 404
    refused = await client.post(_url(order_id), headers=stranger.headers, json={"amount": 1})
    assert refused.status_code == 404
    assert await _money(client, admin, order_id) == (1000, 100, 900)
