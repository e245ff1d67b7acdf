"""Vendors (seed 000's "contacts"): the record and its validation (phones in E.164, email,
http(s) website, ISO country), contact types (one or more), tags, custom fields of entity
`vendor`, ETag/If-Match, Idempotency-Key, audit events, and permissions of their own."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.factories import api_key, member, signup
from tests.vendor.helpers import add_contact_type, add_vendor, error_fields


async def test_a_vendor_is_created_read_updated_and_deleted(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    supplier = await add_contact_type(client, admin, "Supplier")
    tag = (await client.post("/v1/tags", headers=admin.headers, json={"name": "Preferred"})).json()
    created = await client.post(
        "/v1/vendors",
        headers=admin.headers,
        json={
            "name": "Bay Flooring Supply",
            "contact_person": "Sam Rivera",
            "email": "Orders@BayFlooring.example.com",
            "phone": "(415) 555-0188",
            "alt_phone": "+44 20 7946 0958",
            "website": "https://bayflooring.example.com/trade?ref=1",
            "address_line1": "200 Mission St",
            "city": "San Francisco",
            "region": "CA",
            "postal_code": "94105",
            "country": "US",
            "contact_type_ids": [supplier["id"]],
            "tag_ids": [tag["id"]],
        },
    )
    assert created.status_code == 201, created.text
    vendor = created.json()
    assert created.headers["location"] == f"/v1/vendors/{vendor['id']}"
    assert created.headers["etag"] == '"1"'
    assert vendor["phone"] == "+14155550188"
    assert vendor["alt_phone"] == "+442079460958"
    assert vendor["email"] == "orders@bayflooring.example.com"
    assert vendor["contact_types"] == [{"id": supplier["id"], "name": "Supplier"}]
    assert vendor["tags"] == [{"id": tag["id"], "name": "Preferred", "color": None}]
    assert vendor["custom_fields"] == {}

    read = await client.get(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == vendor
    assert read.headers["etag"] == '"1"'

    stale = await client.patch(
        f"/v1/vendors/{vendor['id']}",
        headers={**admin.headers, "If-Match": '"9"'},
        json={"contact_person": "Alex Kim"},
    )
    assert stale.status_code == 412
    updated = await client.patch(
        f"/v1/vendors/{vendor['id']}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"contact_person": "Alex Kim", "website": None, "phone": "415.555.0100"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    body = updated.json()
    assert (body["contact_person"], body["website"], body["phone"]) == (
        "Alex Kim",
        None,
        "+14155550100",
    )
    assert body["name"] == "Bay Flooring Supply"  # untouched

    # Links alone are a change of the record: a new ETag.
    retagged = await client.patch(
        f"/v1/vendors/{vendor['id']}", headers=admin.headers, json={"tag_ids": []}
    )
    assert retagged.json()["tags"] == []
    assert retagged.headers["etag"] == '"3"'

    refused = await client.delete(
        f"/v1/vendors/{vendor['id']}", headers={**admin.headers, "If-Match": '"2"'}
    )
    assert refused.status_code == 412
    deleted = await client.delete(
        f"/v1/vendors/{vendor['id']}", headers={**admin.headers, "If-Match": '"3"'}
    )
    assert deleted.status_code == 204
    assert (
        await client.get(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    ).status_code == 404

    events = await client.get(
        "/v1/events",
        headers=admin.headers,
        params={"entity_type": "vendor", "entity_id": vendor["id"]},
    )
    types = [e["type"] for e in events.json()["data"]]
    assert types == ["vendor.deleted", "vendor.updated", "vendor.updated", "vendor.created"]
    created_event = events.json()["data"][-1]
    assert created_event["after"]["contact_type_ids"] == [supplier["id"]]
    assert created_event["after"]["tag_ids"] == [tag["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("website", "ftp://example.com"),
        ("website", "example.com"),
        ("website", "https://exa mple.com"),
        ("website", "javascript:alert(1)"),
        ("phone", "12"),
        ("alt_phone", "not a phone"),
        ("email", "nobody@"),
        ("country", "ZZ"),
        ("country", "us"),
        ("name", "   "),
        ("contact_type_ids", []),
    ],
)
async def test_bad_fields_are_a_422_naming_them(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    body = {"name": "Vendor", "contact_type_ids": [contact_type["id"]], field: value}
    response = await client.post("/v1/vendors", headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in error_fields(response)


async def test_a_vendor_needs_a_contact_type_and_known_tags(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    missing = await client.post("/v1/vendors", headers=admin.headers, json={"name": "No type"})
    assert missing.status_code == 422
    assert error_fields(missing) == ["contact_type_ids"]
    contact_type = await add_contact_type(client, admin)
    unknown_tag = await client.post(
        "/v1/vendors",
        headers=admin.headers,
        json={
            "name": "V",
            "contact_type_ids": [contact_type["id"]],
            "tag_ids": [str(uuid.uuid4())],
        },
    )
    assert unknown_tag.status_code == 422
    assert error_fields(unknown_tag) == ["tag_ids"]
    vendor = await add_vendor(client, admin, [contact_type["id"]])
    emptied = await client.patch(
        f"/v1/vendors/{vendor['id']}", headers=admin.headers, json={"contact_type_ids": []}
    )
    assert emptied.status_code == 422
    assert error_fields(emptied) == ["contact_type_ids"]
    no_name = await client.patch(
        f"/v1/vendors/{vendor['id']}", headers=admin.headers, json={"name": None}
    )
    assert no_name.status_code == 422


async def test_custom_fields_of_entity_vendor_are_validated(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for definition in (
        {"entity": "vendor", "key": "account_no", "label": "Our account", "type": "text"},
        {"entity": "vendor", "key": "terms_days", "label": "Terms", "type": "number"},
        {"entity": "customer", "key": "customer_only", "label": "C", "type": "text"},
    ):
        response = await client.post("/v1/custom-fields", headers=admin.headers, json=definition)
        assert response.status_code == 201, response.text
    contact_type = await add_contact_type(client, admin)
    bad = await client.post(
        "/v1/vendors",
        headers=admin.headers,
        json={
            "name": "V",
            "contact_type_ids": [contact_type["id"]],
            "custom_fields": {"terms_days": "soon", "customer_only": "x"},
        },
    )
    assert bad.status_code == 422
    assert sorted(error_fields(bad)) == ["custom_fields.customer_only", "custom_fields.terms_days"]
    vendor = await add_vendor(
        client, admin, [contact_type["id"]], custom_fields={"account_no": "A-1", "terms_days": 30}
    )
    assert vendor["custom_fields"] == {"account_no": "A-1", "terms_days": 30}
    merged = await client.patch(
        f"/v1/vendors/{vendor['id']}",
        headers=admin.headers,
        json={"custom_fields": {"account_no": None, "terms_days": 45}},
    )
    assert merged.json()["custom_fields"] == {"terms_days": 45}

    # Deleting the definition counts and removes the vendors' values, as for customers.
    fields = await client.get(
        "/v1/custom-fields", headers=admin.headers, params={"entity": "vendor"}
    )
    terms = next(f for f in fields.json()["data"] if f["key"] == "terms_days")
    refused = await client.delete(f"/v1/custom-fields/{terms['id']}", headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["value_count"] == 1
    deleted = await client.delete(
        f"/v1/custom-fields/{terms['id']}", headers=admin.headers, params={"confirm": "true"}
    )
    assert deleted.status_code == 204
    after = await client.get(f"/v1/vendors/{vendor['id']}", headers=admin.headers)
    assert after.json()["custom_fields"] == {}
    assert after.headers["etag"] == '"3"'  # the value's removal is a change of the vendor


async def test_an_idempotency_key_replays_the_create(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    headers = {**admin.headers, "Idempotency-Key": f"vendor-{uuid.uuid4()}"}
    body = {"name": "Once Only", "contact_type_ids": [contact_type["id"]]}
    first = await client.post("/v1/vendors", headers=headers, json=body)
    again = await client.post("/v1/vendors", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = await client.post("/v1/vendors", headers=headers, json={**body, "name": "Twice"})
    assert other.status_code == 422
    listed = await client.get("/v1/vendors", headers=admin.headers)
    assert len(listed.json()["data"]) == 1


async def test_vendors_have_permissions_of_their_own(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vendor = await add_vendor(client, admin)
    customers_only = await member(client, admin, ["customers:read", "customers:write"])
    refused = await client.get("/v1/vendors", headers=customers_only.headers)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "vendors:read"
    reader = await member(client, admin, ["vendors:read"])
    assert (
        await client.get(f"/v1/vendors/{vendor['id']}", headers=reader.headers)
    ).status_code == 200
    write = await client.patch(
        f"/v1/vendors/{vendor['id']}", headers=reader.headers, json={"city": "Oakland"}
    )
    assert write.status_code == 403
    assert write.json()["permission"] == "vendors:write"
    key = await api_key(client, admin, ["vendors:read", "vendors:write"])
    renamed = await client.patch(
        f"/v1/vendors/{vendor['id']}", headers=key.headers, json={"city": "Oakland"}
    )
    assert renamed.status_code == 200
    # The catalogue lists them, so an admin can grant them to a group.
    catalogue = await client.get("/v1/permissions", headers=admin.headers)
    names = {p["name"] for p in catalogue.json()["data"]}
    assert {"vendors:read", "vendors:write"} <= names


async def test_another_companys_vendor_is_missing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    other = await signup(client, "Other Co")
    theirs = await add_vendor(client, other)
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/v1/vendors/{theirs['id']}",
            headers=admin.headers,
            json={"city": "X"} if method == "PATCH" else None,
        )
        assert response.status_code == 404, method
    assert (await client.get("/v1/vendors", headers=admin.headers)).json()["data"] == []
