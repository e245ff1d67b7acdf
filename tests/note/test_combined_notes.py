"""`GET /v1/customers/{id}/notes?include=orders`: the customer's notes and its orders' in one
keyset-paged list (seed 002's combined notes list), each naming its order, with the same
visibility rule as every notes list."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller, create_customer, create_order, member, signup


async def _note(
    client: httpx.AsyncClient, caller: Caller, path: str, body: str, visibility: str
) -> dict[str, Any]:
    response = await client.post(
        f"{path}/notes", headers=caller.headers, json={"body": body, "visibility": visibility}
    )
    assert response.status_code == 201, response.text
    note: dict[str, Any] = response.json()
    return note


async def _walk(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **params: str
) -> list[dict[str, Any]]:
    """Every page, two notes at a time."""
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {"include": "orders", "limit": 2, **params}
    while True:
        response = await client.get(
            f"/v1/customers/{customer_id}/notes", headers=caller.headers, params=query
        )
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["data"]
        if not page["has_more"]:
            return found
        query["cursor"] = page["next_cursor"]


async def test_the_combined_list_pages_through_customer_and_order_notes(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    order_id = await create_order(client, admin, customer_id=customer_id)
    other_order = await create_order(client, admin)  # another customer's (or none)
    customer = f"/v1/customers/{customer_id}"
    order = f"/v1/orders/{order_id}"
    made = [
        await _note(client, admin, customer, "c1", "office"),
        await _note(client, admin, order, "o1", "site"),
        await _note(client, admin, customer, "c2", "site"),
        await _note(client, admin, order, "o2", "office"),
        await _note(client, admin, customer, "c3", "site"),
    ]
    await _note(client, admin, f"/v1/orders/{other_order}", "elsewhere", "site")

    newest_first = await _walk(client, admin, customer_id)
    assert [n["body"] for n in newest_first] == ["c3", "o2", "c2", "o1", "c1"]
    assert {n["body"]: n["order_id"] for n in newest_first} == {
        "c1": None,
        "o1": order_id,
        "c2": None,
        "o2": order_id,
        "c3": None,
    }
    assert all(n["customer_id"] == customer_id for n in newest_first)
    assert [n["id"] for n in newest_first] == [m["id"] for m in reversed(made)]
    oldest_first = await _walk(client, admin, customer_id, sort="created_at")
    assert [n["body"] for n in oldest_first] == ["c1", "o1", "c2", "o2", "c3"]
    site = await _walk(client, admin, customer_id, visibility="site")
    assert [n["body"] for n in site] == ["c3", "c2", "o1"]

    # Without include, the customer's own; field staff see site notes only either way.
    plain = await client.get(f"{customer}/notes", headers=admin.headers)
    assert [n["body"] for n in plain.json()["data"]] == ["c3", "c2", "c1"]
    assert all(n["order_id"] is None for n in plain.json()["data"])
    field = await member(client, admin, ["customers:read", "orders:read"])
    assert [n["body"] for n in await _walk(client, field, customer_id)] == ["c3", "c2", "o1"]
    office_only = await _walk(client, field, customer_id, visibility="office")
    assert office_only == []

    # Order notes are for callers who may read orders.
    customers_only = await member(client, admin, ["customers:read", "customers:office"])
    refused = await client.get(
        f"{customer}/notes", headers=customers_only.headers, params={"include": "orders"}
    )
    assert refused.status_code == 403
    assert refused.json()["permission"] == "orders:read"

    # A cursor of the plain list is not one of the combined list.
    first = await client.get(f"{customer}/notes", headers=admin.headers, params={"limit": 1})
    mixed = await client.get(
        f"{customer}/notes",
        headers=admin.headers,
        params={"include": "orders", "cursor": first.json()["next_cursor"]},
    )
    assert mixed.status_code == 422
