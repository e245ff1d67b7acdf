"""The invoice item catalog: CRUD with ETag/If-Match, unique SKU, money as integer minor
units, archive instead of delete, list filters/sort/paging, permissions, audit."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.billing.helpers import subscribe
from tests.factories import Caller, create_order, member, signup
from tests.fakes.stripe import FakeStripe

URL = "/v1/invoice-items"


async def _create(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body = {"sku": f"SKU-{uuid.uuid4().hex[:6]}", "name": "Item", "unit_amount": 1000, **fields}
    response = await client.post(URL, headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{URL}/{response.json()['id']}"
    created: dict[str, Any] = response.json()
    return created


async def _skus(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[str]:
    response = await client.get(URL, headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [i["sku"] for i in response.json()["data"]]


async def test_create_read_update_delete(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    item = await _create(
        client,
        admin,
        sku="WH-50G",
        name="Water heater, 50 gal",
        description="Gas",
        unit_amount=129_900,
    )
    assert (item["sku"], item["name"], item["description"], item["unit_amount"]) == (
        "WH-50G",
        "Water heater, 50 gal",
        "Gas",
        129_900,
    )
    assert item["is_archived"] is False
    url = f"{URL}/{item['id']}"
    read = await client.get(url, headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == item

    changed = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"unit_amount": 134_900, "description": None},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["unit_amount"], changed.json()["description"]) == (134_900, None)
    assert changed.headers["etag"] == '"2"'
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"1"'}, json={"name": "Lost"}
    )
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 412
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404

    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "invoice_item", "entity_id": item["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == [
        "invoice_item.deleted",
        "invoice_item.updated",
        "invoice_item.created",
    ]
    assert (events[1]["before"]["unit_amount"], events[1]["after"]["unit_amount"]) == (
        129_900,
        134_900,
    )


async def test_bad_input_is_422_naming_the_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    base = {"sku": "A-1", "name": "A", "unit_amount": 100}
    for change, field in (
        ({"unit_amount": -1}, "unit_amount"),
        ({"unit_amount": 10.5}, "unit_amount"),
        ({"unit_amount": 10.5}, "unit_amount"),
        ({"unit_amount": "100"}, "unit_amount"),
        ({"unit_amount": True}, "unit_amount"),
        ({"unit_amount": 10**19}, "unit_amount"),
        ({"sku": " "}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"name": ""}, "name"),
        ({"is_archived": True}, "is_archived"),
    ):
        refused = await client.post(URL, headers=admin.headers, json={**base, **change})
        assert refused.status_code == 422, (change, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field], change
    item = await _create(client, admin)
    for bad in ({"unit_amount": -5}, {"unit_amount": None}, {"sku": None}, {"is_archived": None}):
        refused = await client.patch(f"{URL}/{item['id']}", headers=admin.headers, json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == list(bad)
    free = await _create(client, admin, unit_amount=0)
    assert free["unit_amount"] == 0


async def test_sku_is_unique_per_company(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await _create(client, admin, sku="WH-50G")
    clash = await client.post(
        URL, headers=admin.headers, json={"sku": "WH-50G", "name": "Again", "unit_amount": 1}
    )
    assert clash.status_code == 409, clash.text
    assert clash.json()["field"] == "sku"
    other = await _create(client, admin, sku="WH-40G")
    renamed = await client.patch(
        f"{URL}/{other['id']}", headers=admin.headers, json={"sku": "WH-50G"}
    )
    assert renamed.status_code == 409
    assert renamed.json()["field"] == "sku"
    # Archived items keep their SKU; another company may use it.
    stranger = await signup(client, "Other Co")
    await _create(client, stranger, sku="WH-50G")


async def test_archive_and_list_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    pipe = await _create(client, admin, sku="P-100", name="Copper pipe")
    valve = await _create(client, admin, sku="V-200", name="Ball valve")
    await _create(client, admin, sku="T-300", name="Pipe thread tape 50%_off")
    assert await _skus(client, admin) == ["P-100", "T-300", "V-200"]
    assert await _skus(client, admin, sort="-sku") == ["V-200", "T-300", "P-100"]
    assert await _skus(client, admin, sort="name") == ["V-200", "P-100", "T-300"]
    assert await _skus(client, admin, sort="-name") == ["T-300", "P-100", "V-200"]
    assert await _skus(client, admin, q="pipe") == ["P-100", "T-300"]
    assert await _skus(client, admin, q="v-2") == ["V-200"]
    assert await _skus(client, admin, q="%") == ["T-300"]  # a literal, not a wildcard
    assert await _skus(client, admin, q="_off") == ["T-300"]

    archived = await client.patch(
        f"{URL}/{pipe['id']}", headers=admin.headers, json={"is_archived": True}
    )
    assert archived.status_code == 200, archived.text
    assert archived.json()["is_archived"] is True
    assert await _skus(client, admin) == ["T-300", "V-200"]
    assert await _skus(client, admin, archived="true") == ["P-100"]
    assert await _skus(client, admin, archived="true", q="valve") == []
    # Still readable by id, and it can come back.
    assert (await client.get(f"{URL}/{pipe['id']}", headers=admin.headers)).status_code == 200
    restored = await client.patch(
        f"{URL}/{pipe['id']}", headers=admin.headers, json={"is_archived": False}
    )
    assert restored.json()["is_archived"] is False
    assert await _skus(client, admin) == ["P-100", "T-300", "V-200"]

    first = await client.get(URL, headers=admin.headers, params={"limit": 2})
    assert [i["sku"] for i in first.json()["data"]] == ["P-100", "T-300"]
    assert first.json()["has_more"] is True
    second = await client.get(
        URL, headers=admin.headers, params={"limit": 2, "cursor": first.json()["next_cursor"]}
    )
    assert [i["id"] for i in second.json()["data"]] == [valve["id"]]
    assert second.json()["has_more"] is False
    wrong_sort = await client.get(
        URL,
        headers=admin.headers,
        params={"limit": 2, "sort": "name", "cursor": first.json()["next_cursor"]},
    )
    assert wrong_sort.status_code == 422
    bad_sort = await client.get(URL, headers=admin.headers, params={"sort": "price"})
    assert bad_sort.status_code == 422
    assert [e["field"] for e in bad_sort.json()["errors"]] == ["sort"]


async def test_another_company_sees_nothing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    item = await _create(client, admin)
    stranger = await signup(client, "Other Co")
    url = f"{URL}/{item['id']}"
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    patched = await client.patch(url, headers=stranger.headers, json={"name": "Mine"})
    assert patched.status_code == 404
    assert (await client.delete(url, headers=stranger.headers)).status_code == 404
    assert await _skus(client, stranger) == []
    assert (await client.get(url, headers=admin.headers)).headers["etag"] == '"1"'


async def test_reading_needs_orders_read_and_writing_invoice_items_write(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "plus")  # room for 3 more users
    item = await _create(client, admin)
    url = f"{URL}/{item['id']}"
    reader = await member(client, admin, ["orders:read", "orders:write", "settings:write"])
    assert (await client.get(URL, headers=reader.headers)).status_code == 200
    assert (await client.get(url, headers=reader.headers)).status_code == 200
    for method, target, kwargs in (
        ("POST", URL, {"json": {"sku": "N", "name": "N", "unit_amount": 1}}),
        ("PATCH", url, {"json": {"name": "Nope"}}),
        ("DELETE", url, {}),
    ):
        denied = await client.request(method, target, headers=reader.headers, **kwargs)
        assert denied.status_code == 403, (method, denied.text)
        assert denied.json()["permission"] == "invoice_items:write"
    outsider = await member(client, admin, ["customers:read"])
    denied = await client.get(URL, headers=outsider.headers)
    assert (denied.status_code, denied.json()["permission"]) == (403, "orders:read")
    writer = await member(client, admin, ["invoice_items:write"])
    await _create(client, writer)


async def test_an_item_on_order_lines_cannot_be_deleted_only_archived(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    used = await _create(client, admin, sku="WH-50G", name="Water heater", unit_amount=129_900)
    order_id = await create_order(client, admin)
    line = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=admin.headers,
        json={"invoice_item_id": used["id"], "quantity": "1"},
    )
    assert line.status_code == 201, line.text

    url = f"{URL}/{used['id']}"
    refused = await client.delete(url, headers=admin.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["lines_count"] == 1
    assert "archive" in refused.json()["detail"]
    assert (await client.get(url, headers=admin.headers)).status_code == 200

    # Archiving keeps the order's copy, and the item cannot be added again.
    changed = await client.patch(
        url, headers=admin.headers, json={"is_archived": True, "unit_amount": 1, "name": "Renamed"}
    )
    assert changed.status_code == 200, changed.text
    order = (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).json()
    assert [(x["sku"], x["name"], x["unit_amount"]) for x in order["lines"]] == [
        ("WH-50G", "Water heater", 129_900)
    ]
    again = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=admin.headers,
        json={"invoice_item_id": used["id"], "quantity": "1"},
    )
    assert again.status_code == 422
    assert [e["field"] for e in again.json()["errors"]] == ["invoice_item_id"]
    assert (await client.delete(url, headers=admin.headers)).status_code == 409
