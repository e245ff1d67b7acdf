"""The billing address stays on the customer and is not a location (seed 002); adding it as
one is an explicit copy, which later changes to either do not carry over."""

from __future__ import annotations

import httpx

from tests.customer.location.helpers import add_location, list_locations, location_url, primaries
from tests.factories import create_customer, signup

BILLING = {
    "address_line1": "1 Market St",
    "address_line2": "Suite 300",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}


def _copy_url(customer_id: str) -> str:
    return f"{location_url(customer_id)}/from-billing-address"


async def test_the_billing_address_is_not_a_location_until_copied(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, **BILLING)
    assert await list_locations(client, admin, customer_id) == []

    copied = await client.post(_copy_url(customer_id), headers=admin.headers)
    assert copied.status_code == 201, copied.text
    location = copied.json()
    assert copied.headers["etag"] == '"1"'
    assert copied.headers["location"] == location_url(customer_id, location["id"])
    assert {k: location[k] for k in BILLING} == BILLING
    assert (location["label"], location["latitude"], location["is_primary"]) == (None, None, False)
    assert [loc["id"] for loc in await list_locations(client, admin, customer_id)] == [
        location["id"]
    ]

    # A copy: the customer's new billing address leaves the location as it was, and the
    # location's edit leaves the customer's.
    moved = await client.patch(
        f"/v1/customers/{customer_id}", headers=admin.headers, json={"address_line1": "9 Pier"}
    )
    assert moved.status_code == 200, moved.text
    read = await client.get(location_url(customer_id, location["id"]), headers=admin.headers)
    assert read.json()["address_line1"] == "1 Market St"
    await client.patch(
        location_url(customer_id, location["id"]), headers=admin.headers, json={"city": "Oakland"}
    )
    customer = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert customer.json()["city"] == "San Francisco"


async def test_the_copy_takes_a_label_access_notes_and_the_primary_flag(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, **BILLING)
    earlier = await add_location(client, admin, customer_id, is_primary=True)
    copied = await client.post(
        _copy_url(customer_id),
        headers=admin.headers,
        json={"label": "Head office", "access_notes": "Reception on 3", "is_primary": True},
    )
    assert copied.status_code == 201, copied.text
    body = copied.json()
    assert (body["label"], body["access_notes"], body["is_primary"]) == (
        "Head office",
        "Reception on 3",
        True,
    )
    assert primaries(await list_locations(client, admin, customer_id)) == [body["id"]]
    assert earlier["id"] != body["id"]
    unknown = await client.post(
        _copy_url(customer_id), headers=admin.headers, json={"address_line1": "elsewhere"}
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["address_line1"]


async def test_a_customer_without_a_billing_address_has_nothing_to_copy(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    nowhere = await create_customer(client, admin, city="Oslo")
    refused = await client.post(_copy_url(nowhere), headers=admin.headers, json={})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "no billing address" in refused.json()["detail"]
    # Customers were only held to the shape of a country code, locations to the list.
    not_a_country = await create_customer(client, admin, address_line1="1 Main", country="ZZ")
    refused = await client.post(_copy_url(not_a_country), headers=admin.headers)
    assert refused.status_code == 409
    assert "'ZZ'" in refused.json()["detail"]
    assert await list_locations(client, admin, not_a_country) == []


async def test_a_replayed_copy_makes_one_location(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, **BILLING)
    headers = {**admin.headers, "Idempotency-Key": "copy-billing-1"}
    first = await client.post(_copy_url(customer_id), headers=headers)
    again = await client.post(_copy_url(customer_id), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(await list_locations(client, admin, customer_id)) == 1
