"""Custom field definitions (per company and entity) and the validation of their values."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.custom_field.service import validate_values
from app.errors import ValidationFailed
from tests.factories import Caller, create_customer, member, signup


def definition(**fields: Any) -> dict[str, Any]:
    return {
        "entity": "customer",
        "key": f"f_{uuid.uuid4().hex[:8]}",
        "label": "Field",
        "type": "text",
        **fields,
    }


async def create_field(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/custom-fields", headers=caller.headers, json=definition(**fields)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


async def test_create_get_update_delete(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = await client.post(
        "/v1/custom-fields",
        headers=admin.headers,
        json={
            "entity": "customer",
            "key": "lead_source",
            "label": "Lead source",
            "type": "select",
            "options": ["Referral", "Website"],
            "required": False,
            "position": 3,
        },
    )
    assert created.status_code == 201, created.text
    field = created.json()
    assert field["key"] == "lead_source"
    assert field["options"] == ["Referral", "Website"]
    assert created.headers["location"] == f"/v1/custom-fields/{field['id']}"

    read = await client.get(f"/v1/custom-fields/{field['id']}", headers=admin.headers)
    assert read.json() == field
    assert read.headers["etag"] == created.headers["etag"]

    updated = await client.patch(
        f"/v1/custom-fields/{field['id']}",
        headers={**admin.headers, "If-Match": read.headers["etag"]},
        json={"label": "Source", "options": ["Referral", "Website", "Yard sign"], "required": True},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["label"] == "Source"
    assert updated.json()["options"] == ["Referral", "Website", "Yard sign"]
    assert updated.json()["required"] is True
    assert updated.json()["position"] == 3
    assert updated.headers["etag"] != read.headers["etag"]

    deleted = await client.delete(f"/v1/custom-fields/{field['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/custom-fields/{field['id']}", headers=admin.headers)
    assert gone.status_code == 404


async def test_list_orders_by_position_then_key_and_filters_by_entity(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    for key, position, entity in (
        ("zeta", 0, "customer"),
        ("alpha", 5, "customer"),
        ("beta", 0, "customer"),
        ("gamma", 1, "order"),
        ("delta", 5, "customer"),
    ):
        await create_field(client, admin, key=key, position=position, entity=entity)
    keys: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "entity": "customer"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/custom-fields", headers=admin.headers, params=params)).json()
        keys += [f["key"] for f in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert keys == ["beta", "zeta", "alpha", "delta"]
    everything = await client.get("/v1/custom-fields", headers=admin.headers)
    assert [f["key"] for f in everything.json()["data"]] == [
        "beta",
        "zeta",
        "gamma",
        "alpha",
        "delta",
    ]
    orders = await client.get(
        "/v1/custom-fields", headers=admin.headers, params={"entity": "order"}
    )
    assert [f["key"] for f in orders.json()["data"]] == ["gamma"]
    bad = await client.get("/v1/custom-fields", headers=admin.headers, params={"entity": "invoice"})
    assert fields_of(bad) == ["entity"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "Lead"}, "key"),
        ({"key": "1st"}, "key"),
        ({"key": "lead-source"}, "key"),
        ({"key": "a" * 51}, "key"),
        ({"key": ""}, "key"),
        ({"entity": "invoice"}, "entity"),
        ({"type": "color"}, "type"),
        ({"label": " "}, "label"),
        ({"position": -1}, "position"),
        ({"type": "select", "options": []}, "options"),
        ({"type": "select"}, "options"),
        ({"type": "select", "options": ["A", "A"]}, "options"),
        ({"type": "select", "options": ["A", ""]}, "options.1"),
        ({"type": "text", "options": ["A"]}, "options"),
        ({"type": "number", "options": ["1"]}, "options"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_invalid_definitions_are_422_naming_the_field(
    client: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/custom-fields", headers=admin.headers, json=definition(**fields)
    )
    assert fields_of(response) == [field]


async def test_key_is_unique_per_entity(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_field(client, admin, key="size")
    duplicate = await client.post(
        "/v1/custom-fields", headers=admin.headers, json=definition(key="size")
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "key"
    await create_field(client, admin, key="size", entity="order")
    stranger = await signup(client, "Other Co")
    await create_field(client, stranger, key="size")


async def test_entity_key_and_type_cannot_change(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    field = await create_field(client, admin, type="text")
    path = f"/v1/custom-fields/{field['id']}"
    for change in ({"key": "other"}, {"entity": "order"}, {"type": "number"}):
        response = await client.patch(path, headers=admin.headers, json=change)
        assert fields_of(response) == list(change)
    options = await client.patch(path, headers=admin.headers, json={"options": ["A"]})
    assert fields_of(options) == ["options"]
    select = await create_field(client, admin, type="select", options=["A"])
    emptied = await client.patch(
        f"/v1/custom-fields/{select['id']}", headers=admin.headers, json={"options": []}
    )
    assert fields_of(emptied) == ["options"]
    nulled = await client.patch(path, headers=admin.headers, json={"label": None})
    assert fields_of(nulled) == ["label"]


async def test_stale_if_match_is_412(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    field = await create_field(client, admin)
    path = f"/v1/custom-fields/{field['id']}"
    etag = (await client.get(path, headers=admin.headers)).headers["etag"]
    fresh = await client.patch(
        path, headers={**admin.headers, "If-Match": etag}, json={"label": "One"}
    )
    assert fresh.status_code == 200
    for method, body in (("PATCH", {"label": "Two"}), ("DELETE", None)):
        stale = await client.request(
            method, path, headers={**admin.headers, "If-Match": etag}, json=body
        )
        assert stale.status_code == 412, stale.text
        assert stale.headers["content-type"] == "application/problem+json"
    assert (await client.get(path, headers=admin.headers)).json()["label"] == "One"


async def test_readers_read_and_only_settings_writers_write(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    field = await create_field(client, admin)
    path = f"/v1/custom-fields/{field['id']}"
    reader = await member(client, admin, ["customers:read", "customers:write"])
    assert (await client.get("/v1/custom-fields", headers=reader.headers)).status_code == 200
    assert (await client.get(path, headers=reader.headers)).status_code == 200
    for method, url, body in (
        ("POST", "/v1/custom-fields", definition()),
        ("PATCH", path, {"label": "Nope"}),
        ("DELETE", path, None),
    ):
        response = await client.request(method, url, headers=reader.headers, json=body)
        assert response.status_code == 403, f"{method} {url}: {response.text}"
        assert response.json()["permission"] == "settings:write"
    writer = await member(client, admin, ["settings:write"])
    allowed = await client.post("/v1/custom-fields", headers=writer.headers, json=definition())
    assert allowed.status_code == 201


async def test_another_company_field_is_404(client: httpx.AsyncClient) -> None:
    owner = await signup(client)
    field = await create_field(client, owner)
    stranger = await signup(client, "Other Co")
    path = f"/v1/custom-fields/{field['id']}"
    for method, body in (("GET", None), ("PATCH", {"label": "Mine"}), ("DELETE", None)):
        response = await client.request(method, path, headers=stranger.headers, json=body)
        assert response.status_code == 404, response.text
    assert (await client.get("/v1/custom-fields", headers=stranger.headers)).json()["data"] == []


async def test_deleting_a_field_with_values_needs_confirmation(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    field = await create_field(client, admin, key="gate_code")
    await create_field(client, admin, key="kept")
    holders = [
        await create_customer(client, admin, custom_fields={"gate_code": "1234", "kept": "x"})
        for _ in range(2)
    ]
    bystander = await create_customer(client, admin, custom_fields={"kept": "y"})
    path = f"/v1/custom-fields/{field['id']}"
    etags = {
        c: (await client.get(f"/v1/customers/{c}", headers=admin.headers)).headers["etag"]
        for c in [*holders, bystander]
    }

    refused = await client.delete(path, headers=admin.headers)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["value_count"] == 2
    assert "confirm=true" in refused.json()["detail"]
    assert (await client.get(path, headers=admin.headers)).status_code == 200
    unconfirmed = await client.delete(path, headers=admin.headers, params={"confirm": "false"})
    assert unconfirmed.status_code == 409

    confirmed = await client.delete(path, headers=admin.headers, params={"confirm": "true"})
    assert confirmed.status_code == 204, confirmed.text
    assert (await client.get(path, headers=admin.headers)).status_code == 404
    for customer_id in holders:
        customer = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
        assert customer.json()["custom_fields"] == {"kept": "x"}
        assert customer.headers["etag"] != etags[customer_id]  # what it shows changed
    untouched = await client.get(f"/v1/customers/{bystander}", headers=admin.headers)
    assert untouched.json()["custom_fields"] == {"kept": "y"}
    assert untouched.headers["etag"] == etags[bystander]

    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "custom_field", "entity_id": field["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["custom_field.deleted", "custom_field.created"]
    assert events[0]["before"]["records_with_values"] == 2
    assert events[0]["after"] is None


async def test_deleting_a_field_without_values_needs_no_confirmation(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    field = await create_field(client, admin, entity="order")
    response = await client.delete(f"/v1/custom-fields/{field['id']}", headers=admin.headers)
    assert response.status_code == 204


async def test_mutations_are_audited(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    field = await create_field(client, admin, label="Audited")
    path = f"/v1/custom-fields/{field['id']}"
    await client.patch(path, headers=admin.headers, json={"label": "Changed"})
    await client.delete(path, headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "custom_field", "entity_id": field["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == [
        "custom_field.deleted",
        "custom_field.updated",
        "custom_field.created",
    ]
    assert events[1]["before"]["label"] == "Audited"
    assert events[1]["after"]["label"] == "Changed"
    assert events[0]["before"]["records_with_values"] == 0


# --- validate_values ------------------------------------------------------------------------


@pytest.fixture
async def company(client: httpx.AsyncClient) -> uuid.UUID:
    """A company with one customer field of each type, none required."""
    admin = await signup(client)
    for key, kind in (("note", "text"), ("size", "number"), ("since", "date"), ("vip", "boolean")):
        await create_field(client, admin, key=key, type=kind)
    await create_field(client, admin, key="source", type="select", options=["Web", "Referral"])
    await create_field(client, admin, key="po_number", entity="order")
    return uuid.UUID(admin.company_id)


async def check(
    app: FastAPI,
    company_id: uuid.UUID,
    values: dict[str, Any],
    current: dict[str, Any] | None = None,
    entity: str = "customer",
) -> dict[str, Any]:
    async with app.state.sessions() as session:
        return await validate_values(session, company_id, entity, values, current=current)


async def refused(
    app: FastAPI,
    company_id: uuid.UUID,
    values: dict[str, Any],
    current: dict[str, Any] | None = None,
) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failed:
        await check(app, company_id, values, current)
    return {e.field: e.message for e in failed.value.errors}


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("note", "Beware of the dog", "Beware of the dog"),
        ("note", "", ""),
        ("note", "x" * 2000, "x" * 2000),
        ("size", 12, 12),
        ("size", -1.5, -1.5),
        ("size", 0, 0),
        ("since", "2024-02-29", "2024-02-29"),
        ("vip", True, True),
        ("vip", False, False),
        ("source", "Referral", "Referral"),
    ],
)
async def test_valid_values_are_stored(
    app: FastAPI, company: uuid.UUID, key: str, value: Any, stored: Any
) -> None:
    result = await check(app, company, {key: value})
    assert result == {key: stored}
    assert type(result[key]) is type(stored)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("note", 12, "must be a string"),
        ("note", "a\x00b", "NUL"),
        ("note", "x" * 2001, "at most 2000"),
        ("note", ["a"], "must be a string"),
        ("size", "12", "must be a number"),
        ("size", True, "must be a number"),
        ("size", float("nan"), "finite"),
        ("size", float("inf"), "finite"),
        ("since", "2024-02-30", "not a valid date"),
        ("since", "2024-2-3", "YYYY-MM-DD"),
        ("since", "20240203", "YYYY-MM-DD"),
        ("since", "2024-02-03T10:00:00", "YYYY-MM-DD"),
        ("since", 20240203, "YYYY-MM-DD"),
        ("vip", "true", "true or false"),
        ("vip", 1, "true or false"),
        ("source", "web", "must be one of: Web, Referral"),
        ("source", 1, "must be one of"),
    ],
)
async def test_wrong_types_are_refused_naming_the_key(
    app: FastAPI, company: uuid.UUID, key: str, value: Any, message: str
) -> None:
    errors = await refused(app, company, {key: value})
    assert list(errors) == [f"custom_fields.{key}"]
    assert message in errors[f"custom_fields.{key}"]


async def test_unknown_keys_are_refused_and_entities_are_apart(
    app: FastAPI, company: uuid.UUID
) -> None:
    errors = await refused(app, company, {"colour": "red", "po_number": "A1"})
    assert errors == {
        "custom_fields.colour": "unknown custom field",
        "custom_fields.po_number": "unknown custom field",  # an order field
    }
    assert await check(app, company, {"po_number": "A1"}, entity="order") == {"po_number": "A1"}


async def test_all_problems_are_reported_at_once(app: FastAPI, company: uuid.UUID) -> None:
    errors = await refused(app, company, {"size": "big", "vip": "yes", "nope": 1, "note": "ok"})
    assert set(errors) == {"custom_fields.size", "custom_fields.vip", "custom_fields.nope"}


async def test_values_merge_into_current_and_null_removes(app: FastAPI, company: uuid.UUID) -> None:
    current = {"note": "old", "size": 3, "gone": "no definition any more"}
    result = await check(app, company, {"note": "new", "size": None, "vip": True}, current)
    assert result == {"note": "new", "vip": True}
    assert current == {"note": "old", "size": 3, "gone": "no definition any more"}  # untouched
    assert await check(app, company, {"size": None}) == {}


async def test_required_fields_must_hold_a_value(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_field(client, admin, key="gate_code", required=True, position=1)
    await create_field(client, admin, key="region", required=True, position=2)
    await create_field(client, admin, key="optional")
    company_id = uuid.UUID(admin.company_id)
    assert await refused(app, company_id, {"optional": "x"}) == {
        "custom_fields.gate_code": "is required",
        "custom_fields.region": "is required",
    }
    full = {"gate_code": "1234", "region": "North"}
    assert await check(app, company_id, full) == full
    # On an update, what the record holds counts; a null may not remove a required value.
    assert await check(app, company_id, {"optional": "y"}, current=full) == {
        **full,
        "optional": "y",
    }
    assert await refused(app, company_id, {"region": None}, current=full) == {
        "custom_fields.region": "is required"
    }
    # A wrong value for a required field is reported once, as what it is.
    errors = await refused(app, company_id, {"gate_code": 1234, "region": "North"})
    assert errors == {"custom_fields.gate_code": "must be a string"}


async def test_customers_api_validates_custom_fields(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_field(client, admin, key="size", type="number")
    response = await client.post(
        "/v1/customers",
        headers=admin.headers,
        json={"name": "Jane", "custom_fields": {"size": "big", "colour": "red"}},
    )
    assert sorted(fields_of(response)) == ["custom_fields.colour", "custom_fields.size"]
