"""Invoicing an order: issued today and due after the company's payment terms unless given,
once (409 the second time), voided only while nothing was paid; its payment state and
overdue flag derived from the order's figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.factories import Caller, create_order, member, signup


def _url(order_id: str) -> str:
    return f"/v1/orders/{order_id}/invoice"


async def _order_owing(client: httpx.AsyncClient, caller: Caller, amount: int) -> str:
    order_id = await create_order(client, caller)
    line = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=caller.headers,
        json={"name": "Install", "unit_amount": amount},
    )
    assert line.status_code == 201, line.text
    return order_id


async def _invoice(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(_url(order_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/orders/{order_id}"
    invoice: dict[str, Any] = response.json()
    return invoice


async def _pay(client: httpx.AsyncClient, caller: Caller, order_id: str, amount: int) -> None:
    response = await client.post(
        f"/v1/orders/{order_id}/payments", headers=caller.headers, json={"amount": amount}
    )
    assert response.status_code == 201, response.text


async def test_defaults_are_today_and_the_company_payment_terms(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    zone = "Pacific/Kiritimati"
    terms = await client.patch(
        "/v1/company",
        headers=admin.headers,
        json={"timezone": zone, "payment_terms_days": 14},
    )
    assert terms.status_code == 200, terms.text
    order_id = await _order_owing(client, admin, 5000)
    today = datetime.now(ZoneInfo(zone)).date()
    invoice = await _invoice(client, admin, order_id)
    issued = date.fromisoformat(invoice["issued_on"])
    assert issued in {today, today + timedelta(days=1)}  # midnight may pass meanwhile
    assert date.fromisoformat(invoice["due_on"]) == issued + timedelta(days=14)
    assert (invoice["payment_state"], invoice["is_overdue"]) == ("unpaid", False)
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert order["invoice"]["issued_on"] == invoice["issued_on"]
    assert order["invoice"]["due_on"] == invoice["due_on"]


async def test_due_on_defaults_from_a_given_issue_date(client: httpx.AsyncClient) -> None:
    admin = await signup(client)  # payment terms default to 30 days
    order_id = await _order_owing(client, admin, 5000)
    invoice = await _invoice(client, admin, order_id, issued_on="2026-02-10")
    assert (invoice["issued_on"], invoice["due_on"]) == ("2026-02-10", "2026-03-12")
    same_day = await _order_owing(client, admin, 5000)
    due_now = await _invoice(client, admin, same_day, issued_on="2026-02-10", due_on="2026-02-10")
    assert due_now["due_on"] == "2026-02-10"


async def test_due_before_issue_is_a_422_and_twice_is_a_409(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 5000)
    early = await client.post(
        _url(order_id),
        headers=admin.headers,
        json={"issued_on": "2026-03-01", "due_on": "2026-02-28"},
    )
    assert early.status_code == 422
    assert [e["field"] for e in early.json()["errors"]] == ["due_on"]
    bad = await client.post(_url(order_id), headers=admin.headers, json={"due_on": "soon"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["due_on"]
    last_day = await client.post(
        _url(order_id), headers=admin.headers, json={"issued_on": "9999-12-31"}
    )
    assert last_day.status_code == 422  # no date 30 days later to fall due on
    assert [e["field"] for e in last_day.json()["errors"]] == ["issued_on"]
    await _invoice(client, admin, order_id, issued_on="2026-03-01")
    twice = await client.post(_url(order_id), headers=admin.headers, json={})
    assert twice.status_code == 409
    assert "2026-03-01" in twice.json()["detail"]


async def test_payment_state_and_overdue_are_derived(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    past_due = await _order_owing(client, admin, 5000)
    await _pay(client, admin, past_due, 1000)
    invoice = await _invoice(client, admin, past_due, issued_on="2020-01-01", due_on="2020-01-31")
    assert (invoice["payment_state"], invoice["is_overdue"]) == ("partially_paid", True)
    settled = await _order_owing(client, admin, 5000)
    await _pay(client, admin, settled, 5000)
    paid = await _invoice(client, admin, settled, issued_on="2020-01-01", due_on="2020-01-31")
    assert (paid["payment_state"], paid["is_overdue"]) == ("paid", False)


async def test_voiding_clears_the_dates_unless_something_was_paid(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 5000)
    never = await client.delete(_url(order_id), headers=admin.headers)
    assert never.status_code == 404
    await _invoice(client, admin, order_id)
    assert (await client.delete(_url(order_id), headers=admin.headers)).status_code == 204
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert order["invoice"] is None
    # Invoiced again (it was voided), then paid: no more voiding.
    await _invoice(client, admin, order_id, issued_on="2026-04-01")
    await _pay(client, admin, order_id, 10)
    refused = await client.delete(_url(order_id), headers=admin.headers)
    assert refused.status_code == 409
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "orders", "entity_id": order_id},
        )
    ).json()["data"]
    types = [e["type"] for e in events]
    assert types.count("orders.invoiced") == 2
    assert types.count("orders.invoice_voided") == 1


async def test_invoicing_needs_orders_write_and_the_company_order(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await _order_owing(client, admin, 5000)
    reader = await member(client, admin, ["orders:read", "payments:write"])
    for method in ("POST", "DELETE"):
        denied = await client.request(method, _url(order_id), headers=reader.headers, json={})
        assert denied.status_code == 403
        assert denied.json()["permission"] == "orders:write"
    stranger = await signup(client, "Stranger Co")
    for method in ("POST", "DELETE"):
        response = await client.request(method, _url(order_id), headers=stranger.headers, json={})
        assert response.status_code == 404
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert order["invoice"] is None
