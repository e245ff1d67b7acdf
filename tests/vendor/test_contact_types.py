"""Contact types (seed 000: "Settings -> Contact Types", admin access required): names
unique ignoring case, ordered by position, read by whoever reads vendors, changed only with
`settings:write`, and not deletable while vendors carry them."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import member, signup
from tests.vendor.helpers import add_contact_type, add_vendor


async def test_types_are_listed_by_position_and_names_are_unique_ignoring_case(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    supplier = await add_contact_type(client, admin, "Supplier")
    first = await add_contact_type(client, admin, "Architect", position=0)
    assert supplier["position"] == 0
    third = await add_contact_type(client, admin, "Inspector")
    assert third["position"] == 1  # after the last one

    listed = await client.get("/v1/contact-types", headers=admin.headers)
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()["data"]] == ["Supplier", "Architect", "Inspector"]
    assert first["id"] in [t["id"] for t in listed.json()["data"]]

    taken = await client.post("/v1/contact-types", headers=admin.headers, json={"name": "SUPPLIER"})
    assert taken.status_code == 409
    assert taken.json()["field"] == "name"
    renamed = await client.patch(
        f"/v1/contact-types/{third['id']}", headers=admin.headers, json={"name": "supplier"}
    )
    assert renamed.status_code == 409

    read = await client.get(f"/v1/contact-types/{third['id']}", headers=admin.headers)
    assert read.headers["etag"] == '"1"'
    stale = await client.patch(
        f"/v1/contact-types/{third['id']}",
        headers={**admin.headers, "If-Match": '"7"'},
        json={"position": 5},
    )
    assert stale.status_code == 412
    moved = await client.patch(
        f"/v1/contact-types/{third['id']}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"position": 5, "name": "Building inspector"},
    )
    assert moved.status_code == 200
    assert (moved.json()["position"], moved.json()["name"]) == (5, "Building inspector")
    assert moved.headers["etag"] == '"2"'


async def test_reading_needs_vendors_read_and_writing_needs_settings_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    reader = await member(client, admin, ["vendors:read", "vendors:write"])
    assert (await client.get("/v1/contact-types", headers=reader.headers)).status_code == 200
    refused = await client.post("/v1/contact-types", headers=reader.headers, json={"name": "X"})
    assert refused.status_code == 403
    assert refused.json()["permission"] == "settings:write"
    outsider = await member(client, admin, ["settings:write"])
    read = await client.get(f"/v1/contact-types/{contact_type['id']}", headers=outsider.headers)
    assert read.status_code == 403
    assert read.json()["permission"] == "vendors:read"
    created = await client.post(
        "/v1/contact-types", headers=outsider.headers, json={"name": "Landlord"}
    )
    assert created.status_code == 201


async def test_a_type_in_use_cannot_be_deleted_and_says_how_many_vendors_have_it(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    used = await add_contact_type(client, admin)
    spare = await add_contact_type(client, admin)
    vendors = [await add_vendor(client, admin, [used["id"], spare["id"]]) for _ in range(2)]

    refused = await client.delete(f"/v1/contact-types/{used['id']}", headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["vendors_count"] == 2
    assert "2 vendor(s)" in refused.json()["detail"]

    for vendor in vendors:
        retyped = await client.patch(
            f"/v1/vendors/{vendor['id']}",
            headers=admin.headers,
            json={"contact_type_ids": [spare["id"]]},
        )
        assert retyped.status_code == 200, retyped.text
    deleted = await client.delete(f"/v1/contact-types/{used['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/contact-types/{used['id']}", headers=admin.headers)
    assert gone.status_code == 404
    events = await client.get(
        "/v1/events", headers=admin.headers, params={"entity_type": "contact_type"}
    )
    assert "contact_type.deleted" in [e["type"] for e in events.json()["data"]]


async def test_another_companys_type_is_missing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    other = await signup(client, "Other Co")
    theirs = await add_contact_type(client, other)
    read = await client.get(f"/v1/contact-types/{theirs['id']}", headers=admin.headers)
    assert read.status_code == 404
    # Naming it on a vendor is a reference in the body: a 422 naming the field.
    response = await client.post(
        "/v1/vendors",
        headers=admin.headers,
        json={"name": "Sneaky", "contact_type_ids": [theirs["id"]]},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["contact_type_ids"]


async def test_deleting_a_type_while_a_vendor_is_given_it_never_leaves_a_dangling_link(
    client: httpx.AsyncClient,
) -> None:
    """Either the vendor wins (201, and the delete is a 409 counting it) or the delete does
    (204, and the vendor is a 422 naming the type): never both, never a 500. (Both outcomes
    were seen over these rounds when this was written.)"""
    admin = await signup(client)
    for _ in range(6):
        contact_type = await add_contact_type(client, admin)
        created, deleted = await asyncio.gather(
            client.post(
                "/v1/vendors",
                headers=admin.headers,
                json={"name": "Racer", "contact_type_ids": [contact_type["id"]]},
            ),
            client.delete(f"/v1/contact-types/{contact_type['id']}", headers=admin.headers),
        )
        pair = (created.status_code, deleted.status_code)
        assert pair in {(201, 409), (422, 204)}, (created.text, deleted.text)
        if pair == (201, 409):
            assert deleted.json()["vendors_count"] == 1
            assert created.json()["contact_types"][0]["id"] == contact_type["id"]
