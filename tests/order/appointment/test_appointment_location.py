"""Where an appointment takes place: one of its order's customer's service locations (a 422
naming `location_id` for another customer's, a 404 for another company's)."""

from __future__ import annotations

import httpx

from tests.customer.location.helpers import add_location
from tests.factories import OrderChild, create_customer, create_order, signup

APPOINTMENTS = OrderChild("appointments")
START = "2026-12-01T09:00:00Z"


async def test_an_appointment_names_one_of_the_customers_locations(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    other_site = await add_location(client, admin, customer_id, address_line1="2 Main")
    order_id = await create_order(client, admin, customer_id=customer_id)
    visit = await APPOINTMENTS.add(
        client, admin, order_id, {"starts_at": START, "location_id": site["id"]}
    )
    assert visit["location_id"] == site["id"]
    assert (await APPOINTMENTS.listed(client, admin, order_id))[0]["location_id"] == site["id"]
    plain = await APPOINTMENTS.add(client, admin, order_id, {"starts_at": START})
    assert plain["location_id"] is None

    url = APPOINTMENTS.url(order_id, visit["id"])
    moved = await client.patch(url, headers=admin.headers, json={"location_id": other_site["id"]})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["location_id"], moved.headers["etag"]) == (other_site["id"], '"2"')
    cleared = await client.patch(url, headers=admin.headers, json={"location_id": None})
    assert cleared.json()["location_id"] is None


async def test_another_customers_location_is_422_another_companys_404(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    siblings = await add_location(client, admin, await create_customer(client, admin))
    other = await signup(client)
    theirs = await add_location(client, other, await create_customer(client, other))
    order_id = await create_order(client, admin, customer_id=customer_id)
    visit = await APPOINTMENTS.add(client, admin, order_id, {"starts_at": START})
    for method, url, body in (
        ("POST", APPOINTMENTS.url(order_id), {"starts_at": START}),
        ("PATCH", APPOINTMENTS.url(order_id, visit["id"]), {}),
    ):
        refused = await client.request(
            method, url, headers=admin.headers, json={**body, "location_id": siblings["id"]}
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["location_id"]
        missing = await client.request(
            method, url, headers=admin.headers, json={**body, "location_id": theirs["id"]}
        )
        assert missing.status_code == 404, missing.text
    # An order for nobody: its appointments have no customer's location to name.
    nobody = await create_order(client, admin)
    refused = await client.post(
        APPOINTMENTS.url(nobody),
        headers=admin.headers,
        json={"starts_at": START, "location_id": siblings["id"]},
    )
    assert [e["field"] for e in refused.json()["errors"]] == ["location_id"]
    assert len(await APPOINTMENTS.listed(client, admin, order_id)) == 1
