"""The company's schedule, `GET /v1/appointments`: every appointment overlapping a period
(required, at most 92 days), filtered by user, customer, location and kind, keyset paged."""

from __future__ import annotations

from typing import Any

import httpx

from tests.customer.location.helpers import add_location
from tests.factories import (
    Caller,
    OrderChild,
    create_customer,
    create_order,
    member,
    signup,
)

APPOINTMENTS = OrderChild("appointments")
WEEK = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-08T00:00:00Z"}


async def _schedule(
    client: httpx.AsyncClient, caller: Caller, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/appointments", headers=caller.headers, params={**WEEK, **params}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _add(
    client: httpx.AsyncClient, caller: Caller, order_id: str, starts_at: str, **fields: Any
) -> dict[str, Any]:
    return await APPOINTMENTS.add(client, caller, order_id, {"starts_at": starts_at, **fields})


async def test_the_period_holds_what_overlaps_it(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    order_id = await create_order(client, admin, customer_id=customer_id)
    other_order = await create_order(client, admin)
    # Starts before the period and ends inside it: in.
    spanning = await _add(client, admin, order_id, "2026-11-30T23:00:00Z", duration_minutes=120)
    # Ends exactly when the period starts: out.
    await _add(client, admin, order_id, "2026-11-30T23:00:00Z", duration_minutes=60)
    inside = await _add(client, admin, other_order, "2026-12-03T09:00:00Z")
    # Starts exactly at the end: out.
    await _add(client, admin, order_id, "2026-12-08T00:00:00Z")
    listed = await _schedule(client, admin)
    assert [a["id"] for a in listed] == [spanning["id"], inside["id"]]
    first = listed[0]
    assert first["order_id"] == order_id
    assert first["customer_id"] == customer_id
    assert first["ends_at"] == "2026-12-01T01:00:00Z"
    assert {k: first[k] for k in spanning} == spanning
    # Another company sees none of it.
    other = await signup(client)
    assert await _schedule(client, other) == []


async def test_filters_and_pages(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    crew = await member(client, admin, ["orders:read"])
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    order_id = await create_order(client, admin, customer_id=customer_id)
    other_order = await create_order(client, admin)
    a = await _add(client, admin, order_id, "2026-12-02T09:00:00Z", user_ids=[crew.user_id])
    b = await _add(
        client, admin, order_id, "2026-12-02T09:00:00Z", kind="installation", location_id=site["id"]
    )
    c = await _add(client, admin, other_order, "2026-12-01T09:00:00Z", user_ids=[crew.user_id])
    d = await _add(client, admin, other_order, "2026-12-04T09:00:00Z", kind="service_call")

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [i["id"] for i in items]

    same_start = sorted([a["id"], b["id"]])
    assert ids(await _schedule(client, crew)) == [c["id"], *same_start, d["id"]]
    assert ids(await _schedule(client, crew, user_id=crew.user_id)) == [c["id"], a["id"]]
    assert ids(await _schedule(client, crew, customer_id=customer_id)) == same_start
    assert ids(await _schedule(client, crew, location_id=site["id"])) == [b["id"]]
    assert ids(await _schedule(client, crew, kind="service_call")) == [d["id"]]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {**WEEK, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/appointments", headers=crew.headers, params=params)).json()
        seen += ids(page["data"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [c["id"], *same_start, d["id"]]


async def test_bad_periods_name_the_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    cases: list[tuple[dict[str, str], str]] = [
        ({"to": WEEK["to"]}, "from"),
        ({"from": WEEK["from"]}, "to"),
        ({**WEEK, "from": "yesterday"}, "from"),
        ({**WEEK, "to": "2026-12-01T00:00:00"}, "to"),  # no offset
        ({**WEEK, "to": WEEK["from"]}, "to"),
        ({**WEEK, "to": "2027-03-04T00:00:00Z"}, "to"),  # 93 days
        ({**WEEK, "from": "0001-01-01T00:00:00Z"}, "from"),  # out of range
        ({**WEEK, "to": "9999-12-31T00:00:00Z"}, "to"),
        ({**WEEK, "kind": "party"}, "kind"),
        ({**WEEK, "user_id": "nope"}, "user_id"),
    ]
    for params, field in cases:
        response = await client.get("/v1/appointments", headers=admin.headers, params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field], params
    fine = {**WEEK, "to": "2027-03-03T00:00:00Z"}  # exactly 92 days
    assert (await client.get("/v1/appointments", headers=admin.headers, params=fine)).is_success


async def test_needs_orders_read(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    nobody = await member(client, admin, ["customers:read"])
    response = await client.get("/v1/appointments", headers=nobody.headers, params=WEEK)
    assert response.status_code == 403
    assert response.json()["permission"] == "orders:read"
