"""Orders: numbering, the customer an order is for, edits, the list, delete and what the
detail shows to whom."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.billing.helpers import subscribe
from tests.factories import Caller, api_key, create_customer, create_order, member, signup
from tests.fakes.stripe import FakeStripe

READ_WRITE = ["orders:read", "orders:write"]


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


async def _statuses(client: httpx.AsyncClient, caller: Caller) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/order-statuses", headers=caller.headers)
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()["data"]}


async def _order(client: httpx.AsyncClient, caller: Caller, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _list(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/orders", headers=caller.headers, params={"limit": 100, **params}
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _ids(client: httpx.AsyncClient, caller: Caller, **params: Any) -> set[str]:
    return {o["id"] for o in await _list(client, caller, **params)}


async def _customer_count(client: httpx.AsyncClient, caller: Caller) -> int:
    response = await client.get("/v1/customers", headers=caller.headers, params={"limit": 100})
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


async def _add_item(
    client: httpx.AsyncClient, caller: Caller, order_id: str, unit_amount: int, quantity: str = "1"
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/orders/{order_id}/items",
        headers=caller.headers,
        json={"name": "Labour", "unit_amount": unit_amount, "quantity": quantity},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _pay(
    client: httpx.AsyncClient, caller: Caller, order_id: str, amount: int
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/orders/{order_id}/payments",
        headers=caller.headers,
        json={"amount": amount, "method": "check"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _invoice(
    client: httpx.AsyncClient, caller: Caller, order_id: str, issued_on: str, due_on: str
) -> None:
    response = await client.post(
        f"/v1/orders/{order_id}/invoice",
        headers=caller.headers,
        json={"issued_on": issued_on, "due_on": due_on},
    )
    assert response.status_code == 201, response.text


# --- create -------------------------------------------------------------------------------


async def test_create_with_defaults_and_read_back(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    default = next(s for s in (await _statuses(client, admin)).values() if s["is_default"])
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
    assert (await _order(client, b, await create_order(client, b)))["number"] == 1


# --- the customer -------------------------------------------------------------------------


async def test_create_for_an_existing_customer_copies_its_name(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Jane Homeowner")
    order = await _order(client, admin, await create_order(client, admin, customer_id=customer_id))
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
    assert len(await _list(client, admin)) == 1
    assert await _customer_count(client, admin) == 1
    # The refused request gave its number back.
    assert (await _order(client, admin, await create_order(client, admin)))["number"] == 2


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
    assert await _customer_count(client, admin) == 0
    assert await _list(client, admin) == []
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
    assert await _customer_count(client, admin) == 1
    assert await _list(client, admin) == []


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
    before_default = await _order(client, admin, await create_order(client, admin))
    assert before_default["customer_id"] is None
    assert before_default["customer_name"] is None
    default = await create_customer(client, admin, name="Walk-in", is_default=True)
    order = await _order(client, admin, await create_order(client, admin))
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
    assert (await _order(client, admin, order_id))["customer_name"] == "New Name"
    assert await _ids(client, admin, q="new name") == {order_id}
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    order = await _order(client, admin, order_id)
    assert order["customer_id"] is None
    assert order["customer_name"] == "New Name"
    assert await _ids(client, admin, q="new name") == {order_id}


# --- update -------------------------------------------------------------------------------


async def test_update_title_and_status_guarded_by_if_match(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    sold = (await _statuses(client, admin))["Sold"]
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
    theirs = (await _statuses(client, other))["Sold"]["id"]
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
    quoted = (await _statuses(client, admin))["Quoted"]
    order = await _order(client, admin, await create_order(client, admin, status_id=quoted["id"]))
    assert order["status"]["id"] == quoted["id"]


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
    assert len(await _list(client, admin)) == 1


# --- list ---------------------------------------------------------------------------------


async def test_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    installer = await member(client, admin, ["orders:read"])
    key = await api_key(client, admin, READ_WRITE)
    statuses = await _statuses(client, admin)
    customer_id = await create_customer(client, admin, name="Harbor View Dental")
    # Titles without digits, so that `q=<number>` matches by number only.
    heater = await create_order(client, admin, title="Replace water heater")
    sold = await create_order(
        client, admin, title="Kitchen remodel", status_id=statuses["Sold"]["id"]
    )
    lost = await create_order(client, admin, title="Roof patch", status_id=statuses["Lost"]["id"])
    for_customer = await create_order(client, admin, title="Fix sink", customer_id=customer_id)
    by_key = await create_order(client, key, title="Gutter cleaning")
    everything = {heater, sold, lost, for_customer, by_key}
    assert await _ids(client, admin) == everything

    assert await _ids(client, admin, status=statuses["Sold"]["id"]) == {sold}
    assert await _ids(client, admin, status=[statuses["Sold"]["id"], statuses["Lost"]["id"]]) == {
        sold,
        lost,
    }
    assert await _ids(client, admin, stage="open") == {sold}
    assert await _ids(client, admin, stage="lost") == {lost}
    assert await _ids(client, admin, stage="quote") == {heater, for_customer, by_key}
    assert await _ids(client, admin, stage="done") == set()
    assert await _ids(client, admin, customer_id=customer_id) == {for_customer}
    assert await _ids(client, admin, source="api") == {by_key}
    assert await _ids(client, admin, source="staff") == everything - {by_key}
    number_of_lost = (await _order(client, admin, lost))["number"]
    assert await _ids(client, admin, q=str(number_of_lost)) == {lost}
    assert await _ids(client, admin, q="HEATER") == {heater}
    assert await _ids(client, admin, q="er clean") == {by_key}
    assert await _ids(client, admin, q="view dent") == {for_customer}
    assert await _ids(client, admin, q="100%_") == set()
    assert await _ids(client, admin, q="nothing like it") == set()

    assigned = await client.post(
        f"/v1/orders/{sold}/assignees",
        headers=admin.headers,
        json={"user_id": installer.user_id, "role": "installer"},
    )
    assert assigned.status_code == 201, assigned.text
    assert await _ids(client, admin, assignee=installer.user_id) == {sold}
    assert await _ids(client, admin, assignee=admin.user_id) == set()
    assert [a["user_id"] for a in (await _order(client, admin, sold))["assignees"]] == [
        installer.user_id
    ]

    bad = await client.get("/v1/orders", headers=admin.headers, params={"stage": "someday"})
    assert bad.status_code == 422


async def test_balance_and_overdue_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    overdue = await create_order(client, admin, title="Overdue")
    not_due = await create_order(client, admin, title="Not due yet")
    paid = await create_order(client, admin, title="Paid up")
    uninvoiced = await create_order(client, admin, title="Not invoiced")
    empty = await create_order(client, admin, title="Nothing to pay")
    for order_id in (overdue, not_due, paid, uninvoiced):
        await _add_item(client, admin, order_id, 10_000)
    await _invoice(client, admin, overdue, "2020-01-01", "2020-01-31")
    await _invoice(client, admin, not_due, "2020-01-01", "2999-12-31")
    await _invoice(client, admin, paid, "2020-01-01", "2020-01-31")
    await _pay(client, admin, paid, 10_000)

    assert await _ids(client, admin, has_balance="true") == {overdue, not_due, uninvoiced}
    assert await _ids(client, admin, has_balance="false") == {paid, empty}
    assert await _ids(client, admin, overdue="true") == {overdue}
    assert await _ids(client, admin, overdue="false") == {not_due, paid, uninvoiced, empty}

    late = await _order(client, admin, overdue)
    assert late["balance_due"] == 10_000
    assert late["invoice"] == {
        "issued_on": "2020-01-01",
        "due_on": "2020-01-31",
        "payment_state": "unpaid",
        "is_overdue": True,
    }
    settled = await _order(client, admin, paid)
    assert settled["invoice"]["payment_state"] == "paid"
    assert settled["invoice"]["is_overdue"] is False
    assert settled["balance_due"] == 0
    listed = {o["id"]: o for o in await _list(client, admin)}
    assert listed[overdue]["invoice"] == late["invoice"]
    assert listed[uninvoiced]["invoice"] is None


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("number", "number", False),
        ("-number", "number", True),
        ("created_at", "created_at", False),
        ("-created_at", "created_at", True),
        ("title", "title", False),
        ("-title", "title", True),
    ],
)
async def test_every_sort_pages_completely_in_order(
    client: httpx.AsyncClient, sort: str, key: str, reverse: bool
) -> None:
    admin = await signup(client)
    for title in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        await create_order(client, admin, title=title)
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/orders", headers=admin.headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["data"]) <= 2
        rows.extend(page["data"])
        cursor = page["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert len(rows) == 5
    assert len({r["id"] for r in rows}) == 5
    values = [r[key] for r in rows]
    assert values == sorted(values, reverse=reverse)


async def test_default_sort_is_newest_number_first(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for _ in range(3):
        await create_order(client, admin)
    assert [o["number"] for o in await _list(client, admin)] == [3, 2, 1]


async def test_another_companys_orders_never_appear(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    mine = await create_order(client, a, title="Shared words")
    theirs = await create_order(client, b, title="Shared words")
    assert await _ids(client, a) == {mine}
    assert await _ids(client, a, q="shared") == {mine}
    assert await _ids(client, a, q="1") == {mine}
    assert await _ids(client, b) == {theirs}
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/v1/orders/{theirs}",
            headers=a.headers,
            json={"title": "Hijacked"} if method == "PATCH" else None,
        )
        assert response.status_code == 404, (method, response.text)
    assert (await _order(client, b, theirs))["title"] == "Shared words"


# --- delete -------------------------------------------------------------------------------


async def test_delete_needs_orders_delete_and_audits_the_payments(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    writer = await member(client, admin, READ_WRITE)
    deleter = await member(client, admin, ["orders:read", "orders:delete"])
    order_id = await create_order(client, admin, title="Gone Soon")
    await _add_item(client, admin, order_id, 10_000)
    payment = await _pay(client, admin, order_id, 2500)

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
    line = await _add_item(client, admin, order_id, 8500, "1.5")
    payment = await _pay(client, admin, order_id, 2750)

    seen_by_reader = await _order(client, reader, order_id)
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

    seen_by_bookkeeper = await _order(client, bookkeeper, order_id)
    assert seen_by_bookkeeper["payments"] == [payment]
    assert seen_by_bookkeeper["payments"][0]["amount"] == 2750
    assert seen_by_bookkeeper["payments"][0]["method"] == "check"
    assert seen_by_bookkeeper["payments"][0]["recorded_by"] == admin.user_id
    assert {k: v for k, v in seen_by_bookkeeper.items() if k != "payments"} == {
        k: v for k, v in seen_by_reader.items() if k != "payments"
    }

    reader_key = await api_key(client, admin, ["orders:read"])
    assert (await _order(client, reader_key, order_id))["payments"] is None
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


async def test_inline_customer_errors_name_the_nested_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/orders",
        headers=admin.headers,
        json={"title": "x", "customer": {"name": "B", "custom_fields": {"zz": 1}}},
    )
    assert fields_of(response) == ["customer.custom_fields.zz"]
