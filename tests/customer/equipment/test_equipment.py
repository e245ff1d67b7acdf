"""Equipment of a customer (seed 002's Equipment tab) through the API: CRUD, the warranty
given in months or as a date, the location and custom field checks, ETag/If-Match,
Idempotency-Key, permissions, and the audit on the customer's timeline."""

from __future__ import annotations

import httpx

from tests.customer.equipment.helpers import add_equipment, equipment_url, error_fields, list_ids
from tests.customer.location.helpers import add_location
from tests.factories import api_key, create_customer, member, signup


async def test_equipment_is_added_read_changed_and_deleted(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    created = await add_equipment(
        client,
        admin,
        customer_id,
        type="Heat pump",
        manufacturer="Daikin",
        model="Altherma 3",
        serial_number="DK-1",
        description="North wall",
        location_id=site["id"],
        installed_on="2026-01-31",
        warranty_months=1,
    )
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == {
        "customer_id": customer_id,
        "location_id": site["id"],
        "vendor_id": None,
        "type": "Heat pump",
        "manufacturer": "Daikin",
        "model": "Altherma 3",
        "serial_number": "DK-1",
        "description": "North wall",
        "installed_on": "2026-01-31",
        "warranty_months": 1,
        "warranty_expires_on": "2026-02-28",  # a month after Jan 31
        "warranty_months_left": 0,  # long expired
        "custom_fields": {},
    }
    url = equipment_url(customer_id, created["id"])
    got = await client.get(url, headers=admin.headers)
    assert (got.status_code, got.headers["etag"]) == (200, '"1"')
    assert got.json() == created

    changed = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"serial_number": None, "description": "Moved to the south wall"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert (changed.json()["serial_number"], changed.json()["description"]) == (
        None,
        "Moved to the south wall",
    )
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"model": "X"}
    )
    assert stale.status_code == 412
    stale_delete = await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404

    activity = await client.get(
        f"/v1/customers/{customer_id}/activity", headers=admin.headers, params={"limit": 200}
    )
    types = [e["type"] for e in activity.json()["data"] if e["entity_id"] == created["id"]]
    assert types == ["equipment.deleted", "equipment.updated", "equipment.created"]


async def test_the_warranty_is_given_in_months_or_as_a_date(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    by_date = await add_equipment(
        client, admin, customer_id, installed_on="2028-02-29", warranty_expires_on="2029-02-28"
    )
    assert (by_date["warranty_months"], by_date["warranty_expires_on"]) == (12, "2029-02-28")
    both = await add_equipment(
        client,
        admin,
        customer_id,
        installed_on="2028-02-29",
        warranty_months=48,
        warranty_expires_on="2032-02-29",
    )
    assert (both["warranty_months"], both["warranty_expires_on"]) == (48, "2032-02-29")
    odd = await add_equipment(
        client, admin, customer_id, installed_on="2027-01-10", warranty_expires_on="2027-07-01"
    )
    assert (odd["warranty_months"], odd["warranty_expires_on"]) == (None, "2027-07-01")
    undated = await add_equipment(client, admin, customer_id, warranty_expires_on="2040-01-01")
    assert undated["warranty_months"] is None
    assert undated["warranty_months_left"] > 150
    none = await add_equipment(client, admin, customer_id, installed_on="2027-01-10")
    assert (none["warranty_months"], none["warranty_expires_on"]) == (None, None)
    assert none["warranty_months_left"] is None

    url = equipment_url(customer_id)
    refused: dict[str, dict[str, object]] = {
        "installed_on": {"warranty_months": 12},
        "warranty_expires_on": {
            "installed_on": "2027-01-31",
            "warranty_months": 1,
            "warranty_expires_on": "2027-03-01",
        },
    }
    for field, body in refused.items():
        response = await client.post(url, headers=admin.headers, json={"type": "Boiler", **body})
        assert error_fields(response) == [field], response.text
    before = await client.post(
        url,
        headers=admin.headers,
        json={"type": "Boiler", "installed_on": "2027-01-31", "warranty_expires_on": "2027-01-31"},
    )
    assert error_fields(before) == ["warranty_expires_on"]
    for months in (0, 1201, 1.5, "12"):
        bad = await client.post(
            url,
            headers=admin.headers,
            json={"type": "Boiler", "installed_on": "2027-01-31", "warranty_months": months},
        )
        assert error_fields(bad) == ["warranty_months"]
    for bad_body in ({}, {"type": "  "}, {"type": "Boiler", "installed_on": "2027-02-30"}):
        assert (await client.post(url, headers=admin.headers, json=bad_body)).status_code == 422


async def test_a_new_installation_date_moves_a_warranty_in_months_not_one_by_date(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    in_months = await add_equipment(
        client, admin, customer_id, installed_on="2027-01-15", warranty_months=24
    )
    by_date = await add_equipment(
        client, admin, customer_id, installed_on="2027-01-15", warranty_expires_on="2029-01-15"
    )
    moved = await client.patch(
        equipment_url(customer_id, in_months["id"]),
        headers=admin.headers,
        json={"installed_on": "2027-03-31"},
    )
    assert (moved.json()["warranty_months"], moved.json()["warranty_expires_on"]) == (
        24,
        "2029-03-31",
    )
    kept = await client.patch(
        equipment_url(customer_id, by_date["id"]),
        headers=admin.headers,
        json={"installed_on": "2027-03-15"},
    )
    assert (kept.json()["warranty_months"], kept.json()["warranty_expires_on"]) == (
        22,
        "2029-01-15",
    )
    url = equipment_url(customer_id, in_months["id"])
    # Months count from installation: it cannot go while they stay.
    uninstalled = await client.patch(url, headers=admin.headers, json={"installed_on": None})
    assert error_fields(uninstalled) == ["installed_on"]
    # Sending a warranty field replaces the warranty with what is sent.
    as_date = await client.patch(
        url, headers=admin.headers, json={"warranty_expires_on": "2030-01-01"}
    )
    assert (as_date.json()["warranty_months"], as_date.json()["warranty_expires_on"]) == (
        None,
        "2030-01-01",
    )
    as_months = await client.patch(url, headers=admin.headers, json={"warranty_months": 6})
    assert as_months.json()["warranty_expires_on"] == "2027-09-30"
    removed = await client.patch(url, headers=admin.headers, json={"warranty_months": None})
    assert removed.json()["warranty_expires_on"] is None
    assert removed.json()["warranty_months_left"] is None
    assert (await client.patch(url, headers=admin.headers, json={"type": None})).status_code == 422


async def test_the_location_must_be_one_of_the_customers(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    other_customer = await create_customer(client, admin)
    theirs = await add_location(client, admin, other_customer)
    stranger = await signup(client, "Other Co")
    stranger_customer = await create_customer(client, stranger)
    foreign = await add_location(client, stranger, stranger_customer)
    url = equipment_url(customer_id)

    another_customers = await client.post(
        url, headers=admin.headers, json={"type": "Boiler", "location_id": theirs["id"]}
    )
    assert error_fields(another_customers) == ["location_id"]
    another_companys = await client.post(
        url, headers=admin.headers, json={"type": "Boiler", "location_id": foreign["id"]}
    )
    assert another_companys.status_code == 404, another_companys.text
    piece = await add_equipment(client, admin, customer_id)
    patched = await client.patch(
        equipment_url(customer_id, piece["id"]),
        headers=admin.headers,
        json={"location_id": theirs["id"]},
    )
    assert error_fields(patched) == ["location_id"]

    # Another customer's equipment, and another company's, are not found under this one.
    others = await add_equipment(client, admin, other_customer)
    assert (
        await client.get(equipment_url(customer_id, others["id"]), headers=admin.headers)
    ).status_code == 404
    assert (
        await client.get(equipment_url(customer_id, piece["id"]), headers=stranger.headers)
    ).status_code == 404


async def test_custom_fields_of_entity_equipment(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    for definition in (
        {"entity": "equipment", "key": "filter_size", "label": "Filter", "type": "text"},
        {
            "entity": "equipment",
            "key": "refrigerant",
            "label": "Refrigerant",
            "type": "select",
            "options": ["R32", "R410A"],
            "required": True,
        },
        {"entity": "customer", "key": "vip", "label": "VIP", "type": "boolean"},
    ):
        made = await client.post("/v1/custom-fields", headers=admin.headers, json=definition)
        assert made.status_code == 201, made.text
    listed = await client.get(
        "/v1/custom-fields", headers=admin.headers, params={"entity": "equipment"}
    )
    assert [d["key"] for d in listed.json()["data"]] == ["filter_size", "refrigerant"]

    url = equipment_url(customer_id)
    wrong = await client.post(
        url,
        headers=admin.headers,
        json={"type": "AC", "custom_fields": {"vip": True, "refrigerant": "R22"}},
    )
    assert sorted(error_fields(wrong)) == ["custom_fields.refrigerant", "custom_fields.vip"]
    missing = await client.post(url, headers=admin.headers, json={"type": "AC"})
    assert error_fields(missing) == ["custom_fields.refrigerant"]
    piece = await add_equipment(
        client, admin, customer_id, type="AC", custom_fields={"refrigerant": "R32"}
    )
    merged = await client.patch(
        equipment_url(customer_id, piece["id"]),
        headers=admin.headers,
        json={"custom_fields": {"filter_size": "16x25x1"}},
    )
    assert merged.json()["custom_fields"] == {"refrigerant": "R32", "filter_size": "16x25x1"}

    # Deleting the definition takes its values out of the equipment too.
    field_id = next(d["id"] for d in listed.json()["data"] if d["key"] == "filter_size")
    in_use = await client.delete(f"/v1/custom-fields/{field_id}", headers=admin.headers)
    assert (in_use.status_code, in_use.json()["value_count"]) == (409, 1)
    gone = await client.delete(
        f"/v1/custom-fields/{field_id}", headers=admin.headers, params={"confirm": "true"}
    )
    assert gone.status_code == 204
    after = await client.get(equipment_url(customer_id, piece["id"]), headers=admin.headers)
    assert after.json()["custom_fields"] == {"refrigerant": "R32"}
    assert after.headers["etag"] == '"3"'


async def test_the_list_filters_by_location_and_pages(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    site = await add_location(client, admin, customer_id)
    at_site = [
        (await add_equipment(client, admin, customer_id, location_id=site["id"]))["id"]
        for _ in range(3)
    ]
    elsewhere = (await add_equipment(client, admin, customer_id))["id"]
    assert await list_ids(client, admin, customer_id) == [*at_site, elsewhere]
    assert await list_ids(client, admin, customer_id, location_id=site["id"]) == at_site

    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = await client.get(equipment_url(customer_id), headers=admin.headers, params=params)
        assert page.status_code == 200, page.text
        seen += [row["id"] for row in page.json()["data"]]
        if not page.json()["has_more"]:
            break
        params = {"limit": 2, "cursor": page.json()["next_cursor"]}
    assert seen == [*at_site, elsewhere]
    bad = await client.get(
        equipment_url(customer_id), headers=admin.headers, params={"warranty": "soon"}
    )
    assert bad.status_code == 422
    missing = await client.get(
        equipment_url("0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"), headers=admin.headers
    )
    assert missing.status_code == 404


async def test_permissions_and_idempotency(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    reader = await member(client, admin, ["customers:read"])
    url = equipment_url(customer_id)
    refused = await client.post(url, headers=reader.headers, json={"type": "Boiler"})
    assert (refused.status_code, refused.json()["permission"]) == (403, "customers:write")
    assert (await client.get(url, headers=reader.headers)).status_code == 200

    key = await api_key(client, admin, ["customers:read", "customers:write"])
    headers = {**key.headers, "Idempotency-Key": "equipment-1"}
    first = await client.post(url, headers=headers, json={"type": "Boiler"})
    again = await client.post(url, headers=headers, json={"type": "Boiler"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = await client.post(url, headers=headers, json={"type": "Furnace"})
    assert other.status_code == 422
    assert await list_ids(client, admin, customer_id) == [first.json()["id"]]


async def test_deleting_the_customer_deletes_its_equipment(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    piece = await add_equipment(client, admin, customer_id)
    assert (
        await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    ).status_code == 204
    assert (
        await client.get(equipment_url(customer_id, piece["id"]), headers=admin.headers)
    ).status_code == 404
