"""The customer's account made real by orders: lead status, balance (invoiced orders only)
in the record, the list, its filter and the export, and the account summary."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from tests.customer.test_customers import count_statements
from tests.factories import PASSWORD, create_customer, create_order, member, signup, unique_email
from tests.report.builders import order, status_ids


def _today() -> datetime:
    return datetime.now(UTC)


async def test_a_customer_with_an_order_is_not_a_lead(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    buyer = await create_customer(client, admin)
    lead = await create_customer(client, admin)
    await create_order(client, admin, customer_id=buyer)
    assert (await client.get(f"/v1/customers/{buyer}", headers=admin.headers)).json()[
        "is_lead"
    ] is False
    assert (await client.get(f"/v1/customers/{lead}", headers=admin.headers)).json()[
        "is_lead"
    ] is True
    for is_lead, expected in (("true", [lead]), ("false", [buyer])):
        listed = await client.get(
            "/v1/customers", headers=admin.headers, params={"is_lead": is_lead}
        )
        assert [c["id"] for c in listed.json()["data"]] == expected


async def test_balance_counts_only_invoiced_orders_balance_due(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    today = _today().date()
    # Invoiced 10,000, paid 2,500: owes 7,500. Invoiced and paid in full: owes nothing.
    await order(client, admin, 10_000, customer_id=customer_id, invoiced=(today, today), paid=2_500)
    await order(client, admin, 4_000, customer_id=customer_id, invoiced=(today, today), paid=4_000)
    # Not invoiced: a job in progress is not a debt yet, paid or not.
    await order(client, admin, 5_000, customer_id=customer_id)
    await order(client, admin, 3_000, customer_id=customer_id, paid=1_000)
    # Another customer's invoice is not this one's.
    other = await create_customer(client, admin)
    await order(client, admin, 900, customer_id=other, invoiced=(today, today))

    record = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    assert record["balance"] == 7_500
    assert record["is_lead"] is False
    listed = (await client.get("/v1/customers", headers=admin.headers)).json()["data"]
    assert {c["id"]: c["balance"] for c in listed} == {customer_id: 7_500, other: 900}

    export = await client.get("/v1/customers/export", headers=admin.headers)
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["id"]: (r["balance"], r["is_lead"]) for r in rows} == {
        customer_id: ("7500", "false"),
        other: ("900", "false"),
    }


async def test_export_shows_leads_and_balances_in_one_statement(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await signup(client)
    today = _today().date()
    owing = [await create_customer(client, admin) for _ in range(3)]
    for i, customer_id in enumerate(owing):
        await order(
            client, admin, 1_000 * (i + 1), customer_id=customer_id, invoiced=(today, today)
        )
    leads = [await create_customer(client, admin) for _ in range(3)]
    # The rows come from one COPY that asyncpg runs itself, past SQLAlchemy's events.
    copies: list[str] = []
    copy_from_query = asyncpg.Connection.copy_from_query

    async def spy(self: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        copies.append(query)
        return await copy_from_query(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "copy_from_query", spy)
    with count_statements(app) as statements:
        export = await client.get("/v1/customers/export", headers=admin.headers)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export.text))}
    assert [rows[i]["balance"] for i in owing] == ["1000", "2000", "3000"]
    assert {rows[i]["is_lead"] for i in owing} == {"false"}
    assert {(rows[i]["balance"], rows[i]["is_lead"]) for i in leads} == {("0", "true")}
    # The streamed SELECT reads the orders itself (LATERAL): no statement per row.
    assert len(copies) == 1
    assert "orders" in copies[0]
    assert not [s for s in statements if "orders" in s], statements


async def test_list_with_orders_runs_a_constant_number_of_statements(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await signup(client)
    today = _today().date()
    for i in range(6):
        customer_id = await create_customer(client, admin, name=f"Owing {i}")
        await order(client, admin, 100 * (i + 1), customer_id=customer_id, invoiced=(today, today))
    counts = []
    for limit in (1, 3, 6):
        with count_statements(app) as statements:
            response = await client.get(
                "/v1/customers", headers=admin.headers, params={"limit": limit}
            )
        assert response.status_code == 200
        data = response.json()["data"]
        assert len(data) == limit
        assert all(c["balance"] > 0 and not c["is_lead"] for c in data)
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2], counts


async def test_summary_of_a_customer_with_every_kind_of_order(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    statuses = await status_ids(client, admin)
    customer_id = await create_customer(client, admin)
    today = _today().date()
    past = today - timedelta(days=40)
    # Two quotes (New and Quoted are quote-stage statuses), never invoiced.
    await order(client, admin, 1_200, customer_id=customer_id, status_id=statuses["New"])
    await order(client, admin, 800, customer_id=customer_id, status_id=statuses["Quoted"])
    # Awaiting payment: due later, and due today (not overdue yet), partly paid.
    sold = statuses["Sold"]
    await order(
        client,
        admin,
        5_000,
        customer_id=customer_id,
        status_id=sold,
        invoiced=(today, today + timedelta(days=30)),
        paid=1_000,
    )
    await order(
        client, admin, 2_000, customer_id=customer_id, status_id=sold, invoiced=(past, today)
    )
    # Overdue: past due with a balance.
    await order(
        client,
        admin,
        7_000,
        customer_id=customer_id,
        status_id=sold,
        invoiced=(past, today - timedelta(days=1)),
        paid=500,
    )
    # Past due but paid in full: neither awaiting nor overdue, yet lifetime value.
    await order(
        client,
        admin,
        3_000,
        customer_id=customer_id,
        status_id=sold,
        invoiced=(past, today - timedelta(days=10)),
        paid=3_000,
    )
    # Another customer's overdue invoice.
    other = await create_customer(client, admin)
    await order(
        client,
        admin,
        9_999,
        customer_id=other,
        status_id=sold,
        invoiced=(past, today - timedelta(days=5)),
        paid=1,
    )

    response = await client.get(f"/v1/customers/{customer_id}/summary", headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pending_quotes"] == {"count": 2, "total": 2_000}
    assert body["awaiting_payment"] == {"count": 2, "amount": 4_000 + 2_000}
    assert body["overdue"] == {"count": 1, "amount": 6_500}
    assert body["lifetime_value"] == 1_000 + 500 + 3_000
    assert body["balance"] == 4_000 + 2_000 + 6_500
    record = (await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)).json()
    assert body["balance"] == record["balance"]
    assert body["currency"] == "USD"
    assert body["as_of"] == today.isoformat()
    orders = await client.get(
        "/v1/orders", headers=admin.headers, params={"customer_id": customer_id, "limit": 200}
    )
    newest = max(datetime.fromisoformat(o["created_at"]) for o in orders.json()["data"])
    assert datetime.fromisoformat(body["last_order_at"]) == newest


async def test_summary_of_a_lead_is_all_zero(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reader = await member(client, admin, ["customers:read"])
    response = await client.get(f"/v1/customers/{customer_id}/summary", headers=reader.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "pending_quotes": {"count": 0, "total": 0},
        "awaiting_payment": {"count": 0, "amount": 0},
        "overdue": {"count": 0, "amount": 0},
        "lifetime_value": 0,
        "last_order_at": None,
        "balance": 0,
        "currency": "USD",
        "as_of": _today().date().isoformat(),
    }


async def test_summary_today_is_the_companys_and_tenancy_holds(client: httpx.AsyncClient) -> None:
    zone = "Pacific/Kiritimati"  # UTC+14: its today is often not UTC's
    signed_up = await client.post(
        "/v1/signup",
        json={
            "company_name": "Far East Ltd",
            "name": "Kim Admin",
            "email": unique_email("tz"),
            "password": PASSWORD,
            "currency": "EUR",
            "timezone": zone,
        },
    )
    assert signed_up.status_code == 201, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['token']['access_token']}"}
    created = await client.post("/v1/customers", headers=headers, json={"name": "Tz Customer"})
    customer_id = created.json()["id"]
    body = (await client.get(f"/v1/customers/{customer_id}/summary", headers=headers)).json()
    assert body["as_of"] == datetime.now(ZoneInfo(zone)).date().isoformat()
    assert body["currency"] == "EUR"

    stranger = await signup(client)
    hidden = await client.get(f"/v1/customers/{customer_id}/summary", headers=stranger.headers)
    assert hidden.status_code == 404
    missing = await client.get(f"/v1/customers/{uuid.uuid4()}/summary", headers=headers)
    assert missing.status_code == 404


async def test_summary_needs_customers_read(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    outsider = await member(client, admin, ["orders:read"])
    response = await client.get(f"/v1/customers/{customer_id}/summary", headers=outsider.headers)
    assert response.status_code == 403
    assert response.json()["permission"] == "customers:read"
