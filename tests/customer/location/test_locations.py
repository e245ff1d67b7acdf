"""Service locations of a customer (seed 002): the record and its validation (ISO country,
coordinates in range and in pairs, somewhere to go), at most one primary even under
concurrency, ETag/If-Match, keyset pages, scoped to the customer and the company, audited on
the customer's activity."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.customer.location.helpers import (
    SITE,
    add_location,
    error_fields,
    list_locations,
    location_url,
    primaries,
)
from tests.factories import api_key, create_customer, member, signup


async def test_a_location_is_created_read_and_listed_oldest_first(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id, **SITE)
    assert site["customer_id"] == customer_id
    assert {k: site[k] for k in SITE} == SITE
    assert site["address_line2"] is None
    assert site["is_primary"] is False  # primary only when asked: a customer may have none
    other = await add_location(client, admin, customer_id, address_line1="2 Side Rd")

    read = await client.get(location_url(customer_id, site["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == site
    assert [loc["id"] for loc in await list_locations(client, admin, customer_id)] == [
        site["id"],
        other["id"],
    ]
    # Coordinates alone place a location too (a pump station with no street address).
    field = await add_location(
        client, admin, customer_id, address_line1=None, latitude=-33.9, longitude=18.4
    )
    assert (field["address_line1"], field["latitude"], field["longitude"]) == (None, -33.9, 18.4)


async def test_the_list_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    created = [
        (await add_location(client, admin, customer_id, address_line1=f"{i} Main St"))["id"]
        for i in range(5)
    ]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        response = await client.get(location_url(customer_id), headers=admin.headers, params=params)
        page = response.json()
        assert len(page["data"]) <= 2
        seen += [loc["id"] for loc in page["data"]]
        if page["next_cursor"] is None:
            assert page["has_more"] is False
            break
        params["cursor"] = page["next_cursor"]
    assert seen == created


async def test_country_must_be_an_iso_3166_alpha_2_code(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id, country="NO")
    for bad in ("ZZ", "us", "USA", "", 1):
        created = await client.post(
            location_url(customer_id),
            headers=admin.headers,
            json={"address_line1": "1 Main St", "country": bad},
        )
        assert error_fields(created) == ["country"], bad
        patched = await client.patch(
            location_url(customer_id, site["id"]), headers=admin.headers, json={"country": bad}
        )
        assert error_fields(patched) == ["country"], bad
    cleared = await client.patch(
        location_url(customer_id, site["id"]), headers=admin.headers, json={"country": None}
    )
    assert cleared.json()["country"] is None


async def test_coordinates_are_in_range_numbers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for latitude, longitude, field in (
        (90.0001, 0, "latitude"),
        (-91, 0, "latitude"),
        (0, 180.5, "longitude"),
        (0, -181, "longitude"),
        ("45.1", 7, "latitude"),
        (45, True, "longitude"),
    ):
        response = await client.post(
            location_url(customer_id),
            headers=admin.headers,
            json={"address_line1": "x", "latitude": latitude, "longitude": longitude},
        )
        assert error_fields(response) == [field], (latitude, longitude)
    edge = await add_location(client, admin, customer_id, latitude=-90, longitude=180)
    assert (edge["latitude"], edge["longitude"]) == (-90.0, 180.0)


async def test_coordinates_go_in_pairs_naming_the_one_missing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for body, missing in (
        ({"latitude": 59.9}, "longitude"),
        ({"longitude": 10.7}, "latitude"),
        ({"latitude": 59.9, "longitude": None}, "longitude"),
    ):
        response = await client.post(
            location_url(customer_id), headers=admin.headers, json={"address_line1": "x", **body}
        )
        assert error_fields(response) == [missing], body

    site = await add_location(client, admin, customer_id, latitude=59.9, longitude=10.7)
    url = location_url(customer_id, site["id"])
    # One of the pair may move alone; clearing one alone would leave half a coordinate.
    moved = await client.patch(url, headers=admin.headers, json={"latitude": 60.1})
    assert (moved.json()["latitude"], moved.json()["longitude"]) == (60.1, 10.7)
    assert error_fields(
        await client.patch(url, headers=admin.headers, json={"latitude": None})
    ) == ["latitude"]
    assert error_fields(
        await client.patch(url, headers=admin.headers, json={"longitude": None})
    ) == ["longitude"]
    cleared = await client.patch(
        url, headers=admin.headers, json={"latitude": None, "longitude": None}
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["latitude"], cleared.json()["longitude"]) == (None, None)
    # Nothing changed by the refused ones: versions 1 (created), 2 (moved), 3 (cleared).
    assert cleared.headers["etag"] == '"3"'

    bare = await add_location(client, admin, customer_id)
    half = await client.patch(
        location_url(customer_id, bare["id"]), headers=admin.headers, json={"longitude": 3.0}
    )
    assert error_fields(half) == ["latitude"]


async def test_a_location_is_somewhere(client: httpx.AsyncClient) -> None:
    """An address line or coordinates: a location with neither cannot be driven to."""
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for body in ({}, {"label": "Site", "city": "Oslo"}, {"address_line1": None}):
        response = await client.post(location_url(customer_id), headers=admin.headers, json=body)
        assert error_fields(response) == ["address_line1"], body
    for blank in ("", "   "):
        response = await client.post(
            location_url(customer_id), headers=admin.headers, json={"address_line1": blank}
        )
        assert error_fields(response) == ["address_line1"]

    site = await add_location(client, admin, customer_id)
    url = location_url(customer_id, site["id"])
    refused = await client.patch(url, headers=admin.headers, json={"address_line1": None})
    assert error_fields(refused) == ["address_line1"]
    placed = await client.patch(
        url,
        headers=admin.headers,
        json={"address_line1": None, "latitude": 1.5, "longitude": 2.5},
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["address_line1"] is None


async def test_unknown_fields_and_nul_characters_are_refused(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for body, field in (
        ({"address_line1": "1 Main St", "customer_id": customer_id}, "customer_id"),
        ({"address_line1": "1 Main\x00St"}, "address_line1"),
        ({"address_line1": "1 Main St", "access_notes": "x" * 2001}, "access_notes"),
    ):
        response = await client.post(location_url(customer_id), headers=admin.headers, json=body)
        assert error_fields(response) == [field]
    site = await add_location(client, admin, customer_id)
    null_primary = await client.patch(
        location_url(customer_id, site["id"]), headers=admin.headers, json={"is_primary": None}
    )
    assert error_fields(null_primary) == ["is_primary"]


async def test_making_another_location_primary_moves_the_flag(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    first = await add_location(client, admin, customer_id, is_primary=True)
    second = await add_location(client, admin, customer_id, address_line1="2 Main", is_primary=True)
    assert primaries(await list_locations(client, admin, customer_id)) == [second["id"]]

    # The old primary changed, so its ETag did too.
    old = await client.get(location_url(customer_id, first["id"]), headers=admin.headers)
    assert (old.json()["is_primary"], old.headers["etag"]) == (False, '"2"')
    moved = await client.patch(
        location_url(customer_id, first["id"]),
        headers={**admin.headers, "If-Match": '"2"'},
        json={"is_primary": True},
    )
    assert moved.status_code == 200, moved.text
    assert primaries(await list_locations(client, admin, customer_id)) == [first["id"]]

    # Primary is optional: false on the primary leaves the customer without one.
    unset = await client.patch(
        location_url(customer_id, first["id"]), headers=admin.headers, json={"is_primary": False}
    )
    assert unset.json()["is_primary"] is False
    assert primaries(await list_locations(client, admin, customer_id)) == []
    # Other customers' primaries are their own.
    elsewhere = await create_customer(client, admin)
    theirs = await add_location(client, admin, elsewhere, is_primary=True)
    await add_location(client, admin, customer_id, is_primary=True)
    assert primaries(await list_locations(client, admin, elsewhere)) == [theirs["id"]]


async def test_concurrent_primary_moves_end_with_exactly_one_primary(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    sites = [
        await add_location(client, admin, customer_id, address_line1=f"{i} Main St")
        for i in range(6)
    ]
    for _ in range(3):
        responses = await asyncio.gather(
            *(
                client.patch(
                    location_url(customer_id, s["id"]),
                    headers=admin.headers,
                    json={"is_primary": True},
                )
                for s in sites
            ),
            *(
                client.post(
                    location_url(customer_id),
                    headers=admin.headers,
                    json={"address_line1": "New", "is_primary": True},
                )
                for _ in range(2)
            ),
        )
        assert [r.status_code for r in responses] == [200] * len(sites) + [201, 201], [
            r.text for r in responses if r.status_code >= 300
        ]
        assert len(primaries(await list_locations(client, admin, customer_id))) == 1


async def test_patch_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id, **SITE)
    url = location_url(customer_id, site["id"])
    patched = await client.patch(
        url, headers=admin.headers, json={"access_notes": "New gate code 9134", "label": None}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["access_notes"], body["label"]) == ("New gate code 9134", None)
    unchanged = {k: v for k, v in SITE.items() if k not in ("access_notes", "label")}
    assert {k: body[k] for k in unchanged} == unchanged
    assert patched.headers["etag"] == '"2"'
    # An empty PATCH changes nothing, not even the version.
    empty = await client.patch(url, headers=admin.headers, json={})
    assert empty.headers["etag"] == '"2"'


async def test_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    url = location_url(customer_id, site["id"])
    fresh = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"city": "Oslo"}
    )
    assert fresh.status_code == 200
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"city": "Bergen"}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    refused = await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    assert refused.status_code == 412
    read = await client.get(url, headers=admin.headers)
    assert (read.json()["city"], read.headers["etag"]) == ("Oslo", '"2"')
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404


async def test_another_customers_or_companys_location_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    mine = await create_customer(client, admin)
    sibling = await create_customer(client, admin)
    site = await add_location(client, admin, sibling)
    other = await signup(client)
    theirs_customer = await create_customer(client, other)
    theirs = await add_location(client, other, theirs_customer)
    for customer_id, location_id in ((mine, site["id"]), (mine, theirs["id"])):
        url = location_url(customer_id, location_id)
        for method, body in (("GET", None), ("PATCH", {"city": "X"}), ("DELETE", None)):
            response = await client.request(method, url, headers=admin.headers, json=body)
            assert response.status_code == 404, (method, url, response.text)
    for path, body in (
        (location_url(theirs_customer), {"address_line1": "x"}),
        (f"{location_url(theirs_customer)}/from-billing-address", {}),
    ):
        response = await client.post(path, headers=admin.headers, json=body)
        assert response.status_code == 404, response.text
    listed = await client.get(location_url(theirs_customer), headers=admin.headers)
    assert listed.status_code == 404
    # Nothing moved: the sibling's location is as it was.
    assert (await list_locations(client, admin, sibling))[0]["city"] is None


async def test_reading_needs_customers_read_and_writing_customers_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    reader = await member(client, admin, ["customers:read"])
    assert (await client.get(location_url(customer_id), headers=reader.headers)).status_code == 200
    denied = await client.post(
        location_url(customer_id), headers=reader.headers, json={"address_line1": "x"}
    )
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:write"
    writer = await api_key(client, admin, ["customers:write"])
    read_denied = await client.get(location_url(customer_id, site["id"]), headers=writer.headers)
    assert read_denied.json()["permission"] == "customers:read"


async def test_changes_are_audited_on_the_customer_activity(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    first = await add_location(client, admin, customer_id, is_primary=True)
    second = await add_location(client, admin, customer_id, address_line1="2 Main", is_primary=True)
    await client.delete(location_url(customer_id, second["id"]), headers=admin.headers)

    response = await client.get(
        f"/v1/customers/{customer_id}/activity", headers=admin.headers, params={"limit": 200}
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = [
        e for e in response.json()["data"] if e["entity_type"] == "location"
    ]
    assert [(e["type"], e["entity_id"]) for e in events] == [
        ("location.deleted", second["id"]),
        ("location.created", second["id"]),
        ("location.updated", first["id"]),  # no longer primary
        ("location.created", first["id"]),
    ]
    deleted, _, demoted, created = events
    assert deleted["before"]["address_line1"] == "2 Main"
    assert deleted["after"] is None
    assert (demoted["before"]["is_primary"], demoted["after"]["is_primary"]) == (True, False)
    assert created["after"]["customer_id"] == customer_id
    assert created["actor_user_id"] == admin.user_id


async def test_deleting_the_customer_deletes_its_locations(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204
    gone = await client.get(location_url(customer_id, site["id"]), headers=admin.headers)
    assert gone.status_code == 404
