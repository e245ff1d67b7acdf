"""What the order tests share: reading orders back, adding lines, payments and invoices."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller

READ_WRITE = ["orders:read", "orders:write"]


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


async def statuses_by_name(client: httpx.AsyncClient, caller: Caller) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/order-statuses", headers=caller.headers)
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()["data"]}


async def get_order(client: httpx.AsyncClient, caller: Caller, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def list_orders(
    client: httpx.AsyncClient, caller: Caller, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/orders", headers=caller.headers, params={"limit": 100, **params}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def order_ids(client: httpx.AsyncClient, caller: Caller, **params: Any) -> set[str]:
    return {o["id"] for o in await list_orders(client, caller, **params)}


async def customer_count(client: httpx.AsyncClient, caller: Caller) -> int:
    response = await client.get("/v1/customers", headers=caller.headers, params={"limit": 100})
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


async def add_item(
    client: httpx.AsyncClient, caller: Caller, order_id: str, unit_amount: int, quantity: str = "1"
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=caller.headers,
        json={"name": "Labour", "unit_amount": unit_amount, "quantity": quantity},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def pay(
    client: httpx.AsyncClient, caller: Caller, order_id: str, amount: int
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/orders/{order_id}/payments",
        headers=caller.headers,
        json={"amount": amount, "method": "check"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def invoice(
    client: httpx.AsyncClient, caller: Caller, order_id: str, issued_on: str, due_on: str
) -> None:
    response = await client.post(
        f"/v1/orders/{order_id}/invoice",
        headers=caller.headers,
        json={"issued_on": issued_on, "due_on": due_on},
    )
    assert response.status_code == 201, response.text
