"""Deleting a service location that orders or appointments name: a 409 counting them,
unless `detach=true`, which clears their link in the same transaction (a new version and an
audit event on each)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.customer.location.helpers import add_location, list_locations, location_url
from tests.factories import Caller, OrderChild, create_customer, create_order, signup
from tests.order.helpers import get_order

APPOINTMENTS = OrderChild("appointments")


async def _visit(
    client: httpx.AsyncClient, caller: Caller, order_id: str, location_id: str
) -> dict[str, Any]:
    return await APPOINTMENTS.add(
        client,
        caller,
        order_id,
        {"starts_at": "2026-12-01T09:00:00Z", "location_id": location_id},
    )


async def test_an_unused_location_is_deleted(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id, is_primary=True)
    kept = await add_location(client, admin, customer_id, address_line1="2 Main")
    deleted = await client.delete(location_url(customer_id, site["id"]), headers=admin.headers)
    assert deleted.status_code == 204
    # Deleting the primary promotes nobody: a primary location is optional.
    assert [
        (loc["id"], loc["is_primary"]) for loc in await list_locations(client, admin, customer_id)
    ] == [(kept["id"], False)]
    again = await client.delete(location_url(customer_id, site["id"]), headers=admin.headers)
    assert again.status_code == 404


async def test_a_location_in_use_is_409_counting_its_users(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    orders = [
        await create_order(client, admin, customer_id=customer_id, location_id=site["id"])
        for _ in range(2)
    ]
    other_order = await create_order(client, admin, customer_id=customer_id)
    for order_id in (*orders, other_order):
        await _visit(client, admin, order_id, site["id"])

    url = location_url(customer_id, site["id"])
    for params in ({}, {"detach": "false"}):
        refused = await client.delete(url, headers=admin.headers, params=params)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert (problem["orders_count"], problem["appointments_count"]) == (2, 3)
        assert "detach=true" in problem["detail"]
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    assert (await get_order(client, admin, orders[0]))["location_id"] == site["id"]

    not_a_flag = await client.delete(url, headers=admin.headers, params={"detach": "maybe"})
    assert not_a_flag.status_code == 422
    assert [e["field"] for e in not_a_flag.json()["errors"]] == ["detach"]


async def test_detach_clears_the_links_in_the_same_transaction(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    other_site = await add_location(client, admin, customer_id, address_line1="2 Main")
    order_id = await create_order(client, admin, customer_id=customer_id, location_id=site["id"])
    elsewhere = await create_order(
        client, admin, customer_id=customer_id, location_id=other_site["id"]
    )
    visit = await _visit(client, admin, order_id, site["id"])
    kept_visit = await _visit(client, admin, order_id, other_site["id"])
    before = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)

    deleted = await client.delete(
        location_url(customer_id, site["id"]),
        headers={**admin.headers, "If-Match": '"1"'},
        params={"detach": "true"},
    )
    assert deleted.status_code == 204, deleted.text

    after = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)
    assert after.json()["location_id"] is None
    # The order changed, so its ETag did: a client holding the old one gets a 412.
    assert after.headers["etag"] != before.headers["etag"]
    stale = await client.patch(
        f"/v1/orders/{order_id}",
        headers={**admin.headers, "If-Match": before.headers["etag"]},
        json={"title": "Stale"},
    )
    assert stale.status_code == 412
    visit_now = await client.get(APPOINTMENTS.url(order_id, visit["id"]), headers=admin.headers)
    assert (visit_now.json()["location_id"], visit_now.headers["etag"]) == (None, '"2"')
    # What named another location keeps it.
    assert (await get_order(client, admin, elsewhere))["location_id"] == other_site["id"]
    kept = await client.get(APPOINTMENTS.url(order_id, kept_visit["id"]), headers=admin.headers)
    assert kept.json()["location_id"] == other_site["id"]

    # Each cleared link is audited where its record's history is read.
    events = await client.get(
        "/v1/events", headers=admin.headers, params={"entity_id": order_id, "limit": 200}
    )
    cleared = events.json()["data"][0]
    assert cleared["type"] == "orders.updated"
    assert (cleared["before"]["location_id"], cleared["after"]["location_id"]) == (site["id"], None)
    appointment_events = await client.get(
        "/v1/events", headers=admin.headers, params={"entity_id": visit["id"], "limit": 200}
    )
    latest = appointment_events.json()["data"][0]
    assert latest["type"] == "appointment.updated"
    assert (latest["before"]["location_id"], latest["after"]["location_id"]) == (site["id"], None)
    activity = await client.get(
        f"/v1/customers/{customer_id}/activity", headers=admin.headers, params={"limit": 200}
    )
    assert activity.json()["data"][0]["type"] == "location.deleted"


async def test_nothing_can_start_naming_a_location_being_deleted(
    client: httpx.AsyncClient,
) -> None:
    """Orders naming the location while it is deleted either land first and are counted (or
    detached), or find it gone: none is left pointing at nothing."""
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for _ in range(3):
        site = await add_location(client, admin, customer_id)
        responses = await asyncio.gather(
            *(
                client.post(
                    "/v1/orders",
                    headers=admin.headers,
                    json={"title": "Race", "customer_id": customer_id, "location_id": site["id"]},
                )
                for _ in range(4)
            ),
            client.delete(
                location_url(customer_id, site["id"]),
                headers=admin.headers,
                params={"detach": "true"},
            ),
        )
        statuses = [r.status_code for r in responses]
        assert statuses[-1] == 204, responses[-1].text
        assert all(s in (201, 404, 409) for s in statuses[:-1]), [r.text for r in responses]
        for response in responses[:-1]:
            if response.status_code == 201:
                order = await get_order(client, admin, response.json()["id"])
                assert order["location_id"] is None
