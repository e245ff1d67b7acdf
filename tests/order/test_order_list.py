"""The order list: filters, money filters, every sort paged through, and only the company's
own orders."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import api_key, create_customer, create_order, member, signup
from tests.order.helpers import (
    READ_WRITE,
    add_item,
    get_order,
    invoice,
    list_orders,
    order_ids,
    pay,
    statuses_by_name,
)

# --- list ---------------------------------------------------------------------------------


async def test_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    installer = await member(client, admin, ["orders:read"])
    key = await api_key(client, admin, READ_WRITE)
    statuses = await statuses_by_name(client, admin)
    customer_id = await create_customer(client, admin, name="Harbor View Dental")
    # Titles without digits, so that `q=<number>` matches by number only.
    heater = await create_order(client, admin, title="Replace water heater")
    sold = await create_order(
        client, admin, title="Kitchen remodel", status_id=statuses["Sold"]["id"]
    )
    lost = await create_order(client, admin, title="Roof patch", status_id=statuses["Lost"]["id"])
    for_customer = await create_order(client, admin, title="Fix sink", customer_id=customer_id)
    by_key = await create_order(client, key, title="Gutter cleaning")
    everything = {heater, sold, lost, for_customer, by_key}
    assert await order_ids(client, admin) == everything

    assert await order_ids(client, admin, status=statuses["Sold"]["id"]) == {sold}
    assert await order_ids(
        client, admin, status=[statuses["Sold"]["id"], statuses["Lost"]["id"]]
    ) == {
        sold,
        lost,
    }
    assert await order_ids(client, admin, stage="open") == {sold}
    assert await order_ids(client, admin, stage="lost") == {lost}
    assert await order_ids(client, admin, stage="quote") == {heater, for_customer, by_key}
    assert await order_ids(client, admin, stage="done") == set()
    assert await order_ids(client, admin, customer_id=customer_id) == {for_customer}
    assert await order_ids(client, admin, source="api") == {by_key}
    assert await order_ids(client, admin, source="staff") == everything - {by_key}
    number_of_lost = (await get_order(client, admin, lost))["number"]
    assert await order_ids(client, admin, q=str(number_of_lost)) == {lost}
    assert await order_ids(client, admin, q="HEATER") == {heater}
    assert await order_ids(client, admin, q="er clean") == {by_key}
    assert await order_ids(client, admin, q="view dent") == {for_customer}
    assert await order_ids(client, admin, q="100%_") == set()
    assert await order_ids(client, admin, q="nothing like it") == set()

    assigned = await client.post(
        f"/v1/orders/{sold}/assignees",
        headers=admin.headers,
        json={"user_id": installer.user_id, "role": "installer"},
    )
    assert assigned.status_code == 201, assigned.text
    assert await order_ids(client, admin, assignee=installer.user_id) == {sold}
    assert await order_ids(client, admin, assignee=admin.user_id) == set()
    assert [a["user_id"] for a in (await get_order(client, admin, sold))["assignees"]] == [
        installer.user_id
    ]

    bad = await client.get("/v1/orders", headers=admin.headers, params={"stage": "someday"})
    assert bad.status_code == 422


async def test_balance_and_overdue_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    overdue = await create_order(client, admin, title="Overdue")
    not_due = await create_order(client, admin, title="Not due yet")
    paid = await create_order(client, admin, title="Paid up")
    uninvoiced = await create_order(client, admin, title="Not invoiced")
    empty = await create_order(client, admin, title="Nothing to pay")
    for order_id in (overdue, not_due, paid, uninvoiced):
        await add_item(client, admin, order_id, 10_000)
    await invoice(client, admin, overdue, "2020-01-01", "2020-01-31")
    await invoice(client, admin, not_due, "2020-01-01", "2999-12-31")
    await invoice(client, admin, paid, "2020-01-01", "2020-01-31")
    await pay(client, admin, paid, 10_000)

    assert await order_ids(client, admin, has_balance="true") == {overdue, not_due, uninvoiced}
    assert await order_ids(client, admin, has_balance="false") == {paid, empty}
    assert await order_ids(client, admin, overdue="true") == {overdue}
    assert await order_ids(client, admin, overdue="false") == {not_due, paid, uninvoiced, empty}

    late = await get_order(client, admin, overdue)
    assert late["balance_due"] == 10_000
    assert late["invoice"] == {
        "issued_on": "2020-01-01",
        "due_on": "2020-01-31",
        "payment_state": "unpaid",
        "is_overdue": True,
    }
    settled = await get_order(client, admin, paid)
    assert settled["invoice"]["payment_state"] == "paid"
    assert settled["invoice"]["is_overdue"] is False
    assert settled["balance_due"] == 0
    listed = {o["id"]: o for o in await list_orders(client, admin)}
    assert listed[overdue]["invoice"] == late["invoice"]
    assert listed[uninvoiced]["invoice"] is None


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("number", "number", False),
        ("-number", "number", True),
        ("created_at", "created_at", False),
        ("-created_at", "created_at", True),
        ("title", "title", False),
        ("-title", "title", True),
    ],
)
async def test_every_sort_pages_completely_in_order(
    client: httpx.AsyncClient, sort: str, key: str, reverse: bool
) -> None:
    admin = await signup(client)
    for title in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        await create_order(client, admin, title=title)
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/orders", headers=admin.headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["data"]) <= 2
        rows.extend(page["data"])
        cursor = page["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert len(rows) == 5
    assert len({r["id"] for r in rows}) == 5
    values = [r[key] for r in rows]
    assert values == sorted(values, reverse=reverse)


async def test_default_sort_is_newest_number_first(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for _ in range(3):
        await create_order(client, admin)
    assert [o["number"] for o in await list_orders(client, admin)] == [3, 2, 1]


async def test_another_companys_orders_never_appear(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    mine = await create_order(client, a, title="Shared words")
    theirs = await create_order(client, b, title="Shared words")
    assert await order_ids(client, a) == {mine}
    assert await order_ids(client, a, q="shared") == {mine}
    assert await order_ids(client, a, q="1") == {mine}
    assert await order_ids(client, b) == {theirs}
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/v1/orders/{theirs}",
            headers=a.headers,
            json={"title": "Hijacked"} if method == "PATCH" else None,
        )
        assert response.status_code == 404, (method, response.text)
    assert (await get_order(client, b, theirs))["title"] == "Shared words"
