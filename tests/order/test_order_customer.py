"""The customer an order is for: an existing one (its name copied), one created inline in
the same transaction or not at all, the company's default, changed or cleared later, and
renamed or deleted under the order."""

from __future__ import annotations

import httpx

from tests.factories import create_customer, create_order, member, signup
from tests.order.helpers import (
    READ_WRITE,
    customer_count,
    fields_of,
    get_order,
    list_orders,
    order_ids,
)


async def test_create_for_an_existing_customer_copies_its_name(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Jane Homeowner")
    order = await get_order(
        client, admin, await create_order(client, admin, customer_id=customer_id)
    )
    assert order["customer_id"] == customer_id
    assert order["customer_name"] == "Jane Homeowner"


async def test_inline_customer_is_created_with_the_order_or_not_at_all(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    created = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "First job", "customer": {"name": "Jane Homeowner", "city": "Oslo"}},
    )
    assert created.status_code == 201, created.text
    customer_id = created.json()["customer_id"]
    assert customer_id is not None
    assert created.json()["customer_name"] == "Jane Homeowner"
    customer = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert customer.status_code == 200
    assert customer.json()["city"] == "Oslo"

    duplicate = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Second job", "customer": {"name": "jane  homeowner"}},
    )
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["matches"] == [
        {"id": customer_id, "number": 1, "name": "Jane Homeowner"}
    ]
    assert len(await list_orders(client, admin)) == 1
    assert await customer_count(client, admin) == 1
    # The refused request gave its number back.
    assert (await get_order(client, admin, await create_order(client, admin)))["number"] == 2


async def test_inline_customer_needs_customers_write(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    writer = await member(client, admin, [*READ_WRITE, "customers:read"])
    refused = await client.post(
        "/v1/orders",
        headers=writer.headers,
        json={"title": "Job", "customer": {"name": "New Person"}},
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["permission"] == "customers:write"
    assert await customer_count(client, admin) == 0
    assert await list_orders(client, admin) == []
    customer_id = await create_customer(client, admin)
    allowed = await client.post(
        "/v1/orders", headers=writer.headers, json={"title": "Job", "customer_id": customer_id}
    )
    assert allowed.status_code == 201, allowed.text


async def test_customer_id_and_customer_together_or_unknown_are_422(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    both = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "customer_id": customer_id, "customer": {"name": "Someone"}},
    )
    assert fields_of(both) == ["customer"]
    unknown = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "customer_id": "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"},
    )
    assert fields_of(unknown) == ["customer_id"]
    invalid = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "Job", "customer": {"name": "Someone", "alt_phone": "12"}},
    )
    assert fields_of(invalid) == ["customer.alt_phone"]
    assert await customer_count(client, admin) == 1
    assert await list_orders(client, admin) == []


async def test_another_companys_customer_is_unknown(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    theirs = await create_customer(client, b)
    response = await client.post(
        "/v1/orders", headers=a.headers, json={"title": "Job", "customer_id": theirs}
    )
    assert fields_of(response) == ["customer_id"]


async def test_without_a_customer_the_default_customer_is_used(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_customer(client, admin)
    before_default = await get_order(client, admin, await create_order(client, admin))
    assert before_default["customer_id"] is None
    assert before_default["customer_name"] is None
    default = await create_customer(client, admin, name="Walk-in", is_default=True)
    order = await get_order(client, admin, await create_order(client, admin))
    assert order["customer_id"] == default
    assert order["customer_name"] == "Walk-in"


async def test_renaming_the_customer_renames_it_on_orders_deleting_it_keeps_them(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Old Name")
    order_id = await create_order(client, admin, customer_id=customer_id)
    renamed = await client.patch(
        f"/v1/customers/{customer_id}", headers=admin.headers, json={"name": "New Name"}
    )
    assert renamed.status_code == 200, renamed.text
    assert (await get_order(client, admin, order_id))["customer_name"] == "New Name"
    assert await order_ids(client, admin, q="new name") == {order_id}
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    order = await get_order(client, admin, order_id)
    assert order["customer_id"] is None
    assert order["customer_name"] == "New Name"
    assert await order_ids(client, admin, q="new name") == {order_id}


async def test_customer_can_be_changed_and_cleared(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Later Customer")
    order_id = await create_order(client, admin)
    linked = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"customer_id": customer_id}
    )
    assert linked.status_code == 200, linked.text
    assert (linked.json()["customer_id"], linked.json()["customer_name"]) == (
        customer_id,
        "Later Customer",
    )
    cleared = await client.patch(
        f"/v1/orders/{order_id}", headers=admin.headers, json={"customer_id": None}
    )
    assert (cleared.json()["customer_id"], cleared.json()["customer_name"]) == (None, None)
    unknown = await client.patch(
        f"/v1/orders/{order_id}",
        headers=admin.headers,
        json={"customer_id": "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"},
    )
    assert fields_of(unknown) == ["customer_id"]


async def test_inline_customer_errors_name_the_nested_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "x", "customer": {"name": "B", "custom_fields": {"zz": 1}}},
    )
    assert fields_of(response) == ["customer.custom_fields.zz"]
