"""Orders: numbering, the customer an order is for, edits, the list, delete and what the
detail shows to whom."""

from __future__ import annotations

import asyncio

import httpx

from tests.billing.helpers import subscribe
from tests.factories import api_key, create_order, member, signup
from tests.fakes.stripe import FakeStripe
from tests.order.helpers import (
    READ_WRITE,
    add_item,
    fields_of,
    get_order,
    list_orders,
    pay,
    statuses_by_name,
)

# --- create -------------------------------------------------------------------------------


async def test_create_with_defaults_and_read_back(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    default = next(s for s in (await statuses_by_name(client, admin)).values() if s["is_default"])
    assert default["name"] == "New"
    response = await client.post(
        "/v1/orders", headers=admin.headers, json={"title": "Replace water heater"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == 1
    assert body["title"] == "Replace water heater"
    assert body["status"] == {
        "id": default["id"],
        "name": "New",
        "color": default["color"],
        "stage": default["stage"],
        "counts_as_sold": default["counts_as_sold"],
    }
    assert body["source"] == "staff"
    assert body["customer_id"] is None
    assert body["customer_name"] is None
    assert (body["subtotal"], body["total"], body["amount_paid"], body["balance_due"]) == (
        0,
        0,
        0,
        0,
    )
    assert body["invoice"] is None
    assert body["custom_fields"] == {}
    assert body["created_by"] == admin.user_id
    assert body["lines"] == []
    assert body["payments"] == []
    assert body["assignees"] == []
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/orders/{body['id']}"
    fetched = await client.get(response.headers["location"], headers=admin.headers)
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == body


async def test_an_api_key_creates_api_orders_and_source_can_be_given(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    key = await api_key(client, admin, READ_WRITE)
    by_key = await client.post("/v1/orders", headers=key.headers, json={"title": "Via API"})
    assert by_key.status_code == 201, by_key.text
    assert by_key.json()["source"] == "api"
    assert by_key.json()["number"] == 1
    given = await client.post(
        "/v1/orders", headers=admin.headers, json={"title": "From form", "source": "public_form"}
    )
    assert given.json()["source"] == "public_form"
    assert given.json()["number"] == 2


async def test_fifty_concurrent_creates_get_numbers_1_to_50(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    responses = await asyncio.gather(
        *(
            client.post("/v1/orders", headers=admin.headers, json={"title": f"Parallel {i}"})
            for i in range(50)
        )
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 51))


async def test_numbers_are_per_company(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    await create_order(client, a)
    await create_order(client, a)
    assert (await get_order(client, b, await create_order(client, b)))["number"] == 1


# --- the customer -------------------------------------------------------------------------


# --- update -------------------------------------------------------------------------------


async def test_update_title_and_status_guarded_by_if_match(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    sold = (await statuses_by_name(client, admin))["Sold"]
    order_id = await create_order(client, admin, title="Before", description="Keep me")
    retitled = await client.patch(
        f"/v1/orders/{order_id}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"title": "After"},
    )
    assert retitled.status_code == 200, retitled.text
    assert retitled.json()["title"] == "After"
    assert retitled.json()["description"] == "Keep me"
    assert retitled.headers["etag"] == '"2"'
    stale = await client.patch(
        f"/v1/orders/{order_id}",
        headers={**admin.headers, "If-Match": '"1"'},
        json={"status_id": sold["id"]},
    )
    assert stale.status_code == 412, stale.text
    moved = await client.patch(
        f"/v1/orders/{order_id}",
        headers={**admin.headers, "If-Match": '"2"'},
        json={"status_id": sold["id"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"]["name"] == "Sold"
    assert moved.json()["status"]["stage"] == "open"
    assert moved.json()["status"]["counts_as_sold"] is True
    fetched = await client.get(f"/v1/orders/{order_id}", headers=admin.headers)
    assert fetched.json() == moved.json()
    assert fetched.headers["etag"] == moved.headers["etag"] == '"3"'
    blank = await client.patch(f"/v1/orders/{order_id}", headers=admin.headers, json={"title": ""})
    assert fields_of(blank) == ["title"]
    null_title = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"title": None}
    )
    assert fields_of(null_title) == ["title"]


async def test_unknown_status_is_422_naming_status_id(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    other = await signup(client)
    theirs = (await statuses_by_name(client, other))["Sold"]["id"]
    order_id = await create_order(client, admin)
    for status_id in ("0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f", theirs):
        patched = await client.patch(
            f"/v1/orders/{order_id}", headers=admin.headers, json={"status_id": status_id}
        )
        assert fields_of(patched) == ["status_id"]
        created = await client.post(
            "/v1/orders", headers=admin.headers, json={"title": "X", "status_id": status_id}
        )
        assert fields_of(created) == ["status_id"]


async def test_create_with_a_status(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    quoted = (await statuses_by_name(client, admin))["Quoted"]
    order = await get_order(
        client, admin, await create_order(client, admin, status_id=quoted["id"])
    )
    assert order["status"]["id"] == quoted["id"]


async def test_custom_fields_are_validated_against_order_definitions(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    for entity, key, type_ in (("order", "po_number", "text"), ("customer", "gate_code", "text")):
        defined = await client.post(
            "/v1/custom-fields",
            headers=admin.headers,
            json={"entity": entity, "key": key, "label": key, "type": type_},
        )
        assert defined.status_code == 201, defined.text
    await client.post(
        "/v1/custom-fields",
        headers=admin.headers,
        json={"entity": "order", "key": "floors", "label": "Floors", "type": "number"},
    )
    created = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "custom_fields": {"po_number": "A1", "floors": 2}},
    )
    assert created.status_code == 201, created.text
    assert created.json()["custom_fields"] == {"po_number": "A1", "floors": 2}
    order_id = created.json()["id"]

    unknown = await client.post(
        "/v1/orders", headers=admin.headers, json={"title": "Job", "custom_fields": {"colour": 1}}
    )
    assert fields_of(unknown) == ["custom_fields.colour"]
    customer_key = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "custom_fields": {"gate_code": "1234"}},
    )
    assert fields_of(customer_key) == ["custom_fields.gate_code"]
    wrong_type = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"custom_fields": {"floors": "two"}}
    )
    assert fields_of(wrong_type) == ["custom_fields.floors"]
    unknown_on_update = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"custom_fields": {"nope": "x"}}
    )
    assert fields_of(unknown_on_update) == ["custom_fields.nope"]

    merged = await client.patch(
        f"/v1/orders/{order_id}",
        headers=admin.headers,
        json={"custom_fields": {"po_number": "B2", "floors": None}},
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["custom_fields"] == {"po_number": "B2"}
    assert len(await list_orders(client, admin)) == 1


# --- delete -------------------------------------------------------------------------------


async def test_delete_needs_orders_delete_and_audits_the_payments(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    writer = await member(client, admin, READ_WRITE)
    deleter = await member(client, admin, ["orders:read", "orders:delete"])
    order_id = await create_order(client, admin, title="Gone Soon")
    await add_item(client, admin, order_id, 10_000)
    payment = await pay(client, admin, order_id, 2500)

    denied = await client.delete(f"/v1/orders/{order_id}", headers=writer.headers)
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:delete"
    stale = await client.delete(
        f"/v1/orders/{order_id}", headers={**deleter.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412, stale.text
    deleted = await client.delete(f"/v1/orders/{order_id}", headers=deleter.headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(f"/v1/orders/{order_id}", headers=admin.headers)).status_code == 404
    again = await client.delete(f"/v1/orders/{order_id}", headers=deleter.headers)
    assert again.status_code == 404

    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "orders", "entity_id": order_id},
        )
    ).json()["data"]
    assert events[0]["type"] == "orders.deleted"
    assert events[-1]["type"] == "orders.created"
    gone = events[0]
    assert gone["after"] is None
    assert gone["actor_user_id"] == deleter.user_id
    assert gone["before"]["title"] == "Gone Soon"
    assert gone["before"]["amount_paid"] == 2500
    assert gone["before"]["payments"] == [
        {"id": payment["id"], "amount": 2500, "paid_on": payment["paid_on"]}
    ]


# --- detail -------------------------------------------------------------------------------


async def test_payments_show_only_with_payments_read_and_lines_always(
    client: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "plus")  # room for 3 more users
    reader = await member(client, admin, ["orders:read"])
    bookkeeper = await member(client, admin, ["orders:read", "payments:read"])
    order_id = await create_order(client, admin)
    line = await add_item(client, admin, order_id, 8500, "1.5")
    payment = await pay(client, admin, order_id, 2750)

    seen_by_reader = await get_order(client, reader, order_id)
    assert seen_by_reader["payments"] is None
    assert seen_by_reader["amount_paid"] == 2750
    # The detail shows each line as the line item endpoints do.
    fetched_line = await client.get(
        f"/v1/orders/{order_id}/items/{line['id']}", headers=reader.headers
    )
    assert seen_by_reader["lines"] == [line] == [fetched_line.json()]
    assert line["quantity"] == "1.500"
    assert (line["name"], line["unit_amount"], line["line_total"]) == ("Labour", 8500, 12750)
    assert (seen_by_reader["subtotal"], seen_by_reader["total"]) == (12750, 12750)
    assert seen_by_reader["balance_due"] == 10_000

    seen_by_bookkeeper = await get_order(client, bookkeeper, order_id)
    assert seen_by_bookkeeper["payments"] == [payment]
    assert seen_by_bookkeeper["payments"][0]["amount"] == 2750
    assert seen_by_bookkeeper["payments"][0]["method"] == "check"
    assert seen_by_bookkeeper["payments"][0]["recorded_by"] == admin.user_id
    assert {k: v for k, v in seen_by_bookkeeper.items() if k != "payments"} == {
        k: v for k, v in seen_by_reader.items() if k != "payments"
    }

    reader_key = await api_key(client, admin, ["orders:read"])
    assert (await get_order(client, reader_key, order_id))["payments"] is None
    created_without = await client.post(
        "/v1/orders", headers=(await member(client, admin, READ_WRITE)).headers, json={"title": "X"}
    )
    assert created_without.json()["payments"] is None


async def test_orders_need_orders_permissions(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    outsider = await member(client, admin, ["customers:read"])
    reader = await member(client, admin, ["orders:read"])
    order_id = await create_order(client, admin)
    listed = await client.get("/v1/orders", headers=outsider.headers)
    assert listed.status_code == 403
    assert listed.json()["permission"] == "orders:read"
    created = await client.post("/v1/orders", headers=reader.headers, json={"title": "X"})
    assert created.status_code == 403
    assert created.json()["permission"] == "orders:write"
    patched = await client.patch(
        f"/v1/orders/{order_id}", headers=reader.headers, json={"title": "X"}
    )
    assert patched.status_code == 403
    assert (await client.get("/v1/orders")).status_code == 401
