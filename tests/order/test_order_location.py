"""Where an order's work is done and who to deal with: one of its customer's service
locations (seed 002) and contacts (seed 004). Another customer's is a 422 naming the
field, another company's location a 404; a change of customer clears both, unless the same
request names new ones of the new customer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.customer.location.helpers import add_location, location_url
from tests.factories import Caller, OrderChild, create_customer, create_order, member, signup
from tests.order.helpers import READ_WRITE, fields_of, get_order, list_orders

APPOINTMENTS = OrderChild("appointments")


async def _contact(client: httpx.AsyncClient, caller: Caller, customer_id: str) -> str:
    response = await client.post(
        f"/v1/customers/{customer_id}/contacts", headers=caller.headers, json={"first_name": "Dana"}
    )
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


async def _patch(
    client: httpx.AsyncClient, caller: Caller, order_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.patch(f"/v1/orders/{order_id}", headers=caller.headers, json=body)


async def test_an_order_names_its_customers_location_and_contact(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    contact_id = await _contact(client, admin, customer_id)
    created = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={
            "title": "Service call",
            "customer_id": customer_id,
            "location_id": site["id"],
            "contact_id": contact_id,
        },
    )
    assert created.status_code == 201, created.text
    assert (created.json()["location_id"], created.json()["contact_id"]) == (
        site["id"],
        contact_id,
    )
    order = await get_order(client, admin, created.json()["id"])
    assert (order["location_id"], order["contact_id"]) == (site["id"], contact_id)
    listed = await list_orders(client, admin)
    assert (listed[0]["location_id"], listed[0]["contact_id"]) == (site["id"], contact_id)
    # Without them, an order names neither (the primary location is not implied).
    await add_location(client, admin, customer_id, is_primary=True)
    plain = await get_order(
        client, admin, await create_order(client, admin, customer_id=customer_id)
    )
    assert (plain["location_id"], plain["contact_id"]) == (None, None)

    # Set, changed and cleared by PATCH; an orders:write caller needs no customers:write.
    writer = await member(client, admin, READ_WRITE)
    other_site = await add_location(client, admin, customer_id, address_line1="2 Side Rd")
    moved = await _patch(client, writer, plain["id"], {"location_id": other_site["id"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["location_id"] == other_site["id"]
    assert moved.headers["etag"] == '"2"'
    cleared = await _patch(client, writer, plain["id"], {"location_id": None, "contact_id": None})
    assert (cleared.json()["location_id"], cleared.json()["contact_id"]) == (None, None)


async def test_another_customers_location_is_422_another_companys_404(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    sibling = await create_customer(client, admin)
    siblings_site = await add_location(client, admin, sibling)
    other = await signup(client)
    theirs = await add_location(client, other, await create_customer(client, other))
    order_id = await create_order(client, admin, customer_id=customer_id)

    async def create(body: dict[str, Any]) -> httpx.Response:
        return await client.post(
            "/v1/orders",
            headers=admin.headers,
            json={"title": "Job", "customer_id": customer_id, **body},
        )

    async def patch(body: dict[str, Any]) -> httpx.Response:
        return await _patch(client, admin, order_id, body)

    for send in (create, patch):
        assert fields_of(await send({"location_id": siblings_site["id"]})) == ["location_id"]
        for missing in (theirs["id"], "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"):
            response = await send({"location_id": missing})
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "location_id" in response.json()["detail"]
    # An order for nobody has no location to name.
    nobody = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "location_id": siblings_site["id"]},
    )
    assert fields_of(nobody) == ["location_id"]
    # A new customer made with the order has no locations yet.
    inline = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "customer": {"name": "New"}, "location_id": siblings_site["id"]},
    )
    assert fields_of(inline) == ["location_id"]
    assert len(await list_orders(client, admin)) == 1
    assert (await get_order(client, admin, order_id))["location_id"] is None


async def test_the_default_customer_s_location_may_be_named(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    default = await create_customer(client, admin, is_default=True)
    site = await add_location(client, admin, default)
    created = await client.post(
        "/v1/orders", headers=admin.headers, json={"title": "Walk-in", "location_id": site["id"]}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["customer_id"], created.json()["location_id"]) == (default, site["id"])


async def test_a_contact_must_be_the_order_customers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    sibling = await create_customer(client, admin)
    siblings_contact = await _contact(client, admin, sibling)
    other = await signup(client)
    theirs = await _contact(client, other, await create_customer(client, other))
    order_id = await create_order(client, admin, customer_id=customer_id)
    for contact_id in (siblings_contact, theirs, "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"):
        created = await client.post(
            "/v1/orders",
            headers=admin.headers,
            json={"title": "Job", "customer_id": customer_id, "contact_id": contact_id},
        )
        assert fields_of(created) == ["contact_id"]
        assert fields_of(await _patch(client, admin, order_id, {"contact_id": contact_id})) == [
            "contact_id"
        ]
    nobody = await client.post(
        "/v1/orders", headers=admin.headers, json={"title": "Job", "contact_id": siblings_contact}
    )
    assert fields_of(nobody) == ["contact_id"]


async def test_changing_the_customer_clears_location_and_contact(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    first = await create_customer(client, admin)
    second = await create_customer(client, admin)
    first_site = await add_location(client, admin, first)
    second_site = await add_location(client, admin, second)
    second_contact = await _contact(client, admin, second)
    order_id = await create_order(
        client,
        admin,
        customer_id=first,
        location_id=first_site["id"],
        contact_id=await _contact(client, admin, first),
    )
    visit = await APPOINTMENTS.add(
        client,
        admin,
        order_id,
        {"starts_at": "2026-12-01T09:00:00Z", "location_id": first_site["id"]},
    )

    # The same customer again is no change: the links stay.
    same = await _patch(client, admin, order_id, {"customer_id": first, "title": "Renamed"})
    assert same.json()["location_id"] == first_site["id"]

    # The first customer's location cannot follow the order to the second.
    refused = await _patch(
        client, admin, order_id, {"customer_id": second, "location_id": first_site["id"]}
    )
    assert fields_of(refused) == ["location_id"]

    before = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)
    moved = await _patch(client, admin, order_id, {"customer_id": second, "title": "Moved"})
    assert moved.status_code == 200, moved.text
    # One change, one new version, although its appointments changed on the way.
    assert int(moved.headers["etag"].strip('"')) == int(before.headers["etag"].strip('"')) + 1
    body = moved.json()
    assert (body["customer_id"], body["location_id"], body["contact_id"]) == (second, None, None)
    # Its appointments' locations were the first customer's too: cleared, with a new version.
    read = await client.get(APPOINTMENTS.url(order_id, visit["id"]), headers=admin.headers)
    assert (read.json()["location_id"], read.headers["etag"]) == (None, '"2"')

    # With new ones named in the same request, they are checked against the new customer.
    back = await _patch(
        client,
        admin,
        order_id,
        {"customer_id": first, "location_id": first_site["id"]},
    )
    assert back.status_code == 200, back.text
    assert (back.json()["location_id"], back.json()["contact_id"]) == (first_site["id"], None)
    again = await _patch(
        client,
        admin,
        order_id,
        {"customer_id": second, "location_id": second_site["id"], "contact_id": second_contact},
    )
    assert (again.json()["location_id"], again.json()["contact_id"]) == (
        second_site["id"],
        second_contact,
    )
    # No customer, no location.
    nobody = await _patch(client, admin, order_id, {"customer_id": None})
    assert (nobody.json()["location_id"], nobody.json()["contact_id"]) == (None, None)


async def test_deleting_a_contact_or_the_customer_clears_the_links(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    contact_id = await _contact(client, admin, customer_id)
    order_id = await create_order(
        client, admin, customer_id=customer_id, location_id=site["id"], contact_id=contact_id
    )
    gone = await client.delete(
        f"/v1/customers/{customer_id}/contacts/{contact_id}", headers=admin.headers
    )
    assert gone.status_code == 204
    assert (await get_order(client, admin, order_id))["contact_id"] is None
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204
    order = await get_order(client, admin, order_id)
    assert (order["customer_id"], order["location_id"]) == (None, None)
    assert (
        await client.get(location_url(customer_id, site["id"]), headers=admin.headers)
    ).status_code == 404
