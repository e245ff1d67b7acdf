"""Orders with money on them, built through the API as a client would: line items, an
invoice with explicit dates, payments, assignees. Shared by the report and customer
account tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.factories import Caller, create_order


async def status_ids(client: httpx.AsyncClient, caller: Caller) -> dict[str, str]:
    """The company's order statuses by name (a new company has New, Quoted, Sold,
    Installed, Lost)."""
    response = await client.get("/v1/order-statuses", headers=caller.headers)
    assert response.status_code == 200, response.text
    return {s["name"]: s["id"] for s in response.json()["data"]}


async def add_item(client: httpx.AsyncClient, caller: Caller, order_id: str, amount: int) -> None:
    response = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=caller.headers,
        json={"name": "Work", "unit_amount": amount, "quantity": "1"},
    )
    assert response.status_code == 201, response.text


async def invoice(
    client: httpx.AsyncClient, caller: Caller, order_id: str, *, issued_on: date, due_on: date
) -> None:
    response = await client.post(
        f"/v1/orders/{order_id}/invoice",
        headers=caller.headers,
        json={"issued_on": issued_on.isoformat(), "due_on": due_on.isoformat()},
    )
    assert response.status_code == 201, response.text


async def pay(
    client: httpx.AsyncClient,
    caller: Caller,
    order_id: str,
    amount: int,
    paid_on: date | None = None,
) -> None:
    body: dict[str, Any] = {"amount": amount, "method": "cash"}
    if paid_on is not None:
        body["paid_on"] = paid_on.isoformat()
    response = await client.post(
        f"/v1/orders/{order_id}/payments", headers=caller.headers, json=body
    )
    assert response.status_code == 201, response.text


async def order(
    client: httpx.AsyncClient,
    caller: Caller,
    amount: int,
    *,
    customer_id: str | None = None,
    status_id: str | None = None,
    invoiced: tuple[date, date] | None = None,
    paid: int = 0,
) -> str:
    """An order with one line of `amount`, optionally invoiced (issued, due) and paid."""
    fields: dict[str, Any] = {}
    if customer_id is not None:
        fields["customer_id"] = customer_id
    if status_id is not None:
        fields["status_id"] = status_id
    order_id = await create_order(client, caller, **fields)
    if amount:
        await add_item(client, caller, order_id, amount)
    if invoiced is not None:
        await invoice(client, caller, order_id, issued_on=invoiced[0], due_on=invoiced[1])
    if paid:
        await pay(client, caller, order_id, paid)
    return order_id
