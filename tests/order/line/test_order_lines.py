"""Line items of an order: ad hoc or copied from the catalog, exact decimal quantities,
half-to-even line totals, the order's totals recomputed on every change, ETag/If-Match,
scoped to the order and the company, audited on the order's timeline."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.event.models import Event
from app.order.line.models import OrderLine
from app.order.line.service import MAX_LINES
from tests.factories import Caller, create_order, member, signup


def _url(order_id: str, line_id: str | None = None) -> str:
    base = f"/v1/orders/{order_id}/items"
    return base if line_id is None else f"{base}/{line_id}"


async def _add(
    client: httpx.AsyncClient, caller: Caller, order_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "Labour", "unit_amount": 1000, **fields}
    response = await client.post(_url(order_id), headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == _url(order_id, response.json()["id"])
    line: dict[str, Any] = response.json()
    return line


async def _order(client: httpx.AsyncClient, caller: Caller, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


async def _catalog_item(client: httpx.AsyncClient, caller: Caller, **fields: Any) -> str:
    body = {
        "sku": f"SKU-{uuid.uuid4().hex[:6]}",
        "name": "Water heater",
        "description": "50 gal",
        "unit_amount": 129_900,
        **fields,
    }
    response = await client.post("/v1/invoice-items", headers=caller.headers, json=body)
    assert response.status_code == 201, response.text
    item_id: str = response.json()["id"]
    return item_id


def _fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def test_an_ad_hoc_line_is_added_last_and_totals_follow(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    first = await _add(client, admin, order_id, name="Labour", quantity="1.5", unit_amount=8500)
    assert first["quantity"] == "1.500"
    assert first["line_total"] == 12_750
    assert (first["position"], first["order_id"], first["invoice_item_id"]) == (1, order_id, None)
    assert (first["sku"], first["description"]) == (None, None)
    # Half-to-even: 2.5 -> 2, 3.5 -> 4; a JSON number is accepted too.
    second = await _add(client, admin, order_id, name="Bolt", quantity=0.5, unit_amount=5)
    third = await _add(client, admin, order_id, name="Nut", quantity="0.7", unit_amount=5)
    assert (second["quantity"], second["line_total"]) == ("0.500", 2)
    assert (third["quantity"], third["line_total"]) == ("0.700", 4)
    default = await _add(client, admin, order_id, name="Trip charge", unit_amount=4900)
    assert (default["quantity"], default["line_total"], default["position"]) == ("1.000", 4900, 4)

    listed = await client.get(_url(order_id), headers=admin.headers)
    assert listed.status_code == 200
    page = listed.json()
    assert [line["id"] for line in page["data"]] == [
        first["id"],
        second["id"],
        third["id"],
        default["id"],
    ]
    assert (page["has_more"], page["next_cursor"]) == (False, None)
    order = await _order(client, admin, order_id)
    total = 12_750 + 2 + 4 + 4900
    assert (order["subtotal"], order["total"], order["amount_paid"], order["balance_due"]) == (
        total,
        total,
        0,
        total,
    )
    read = await client.get(_url(order_id, first["id"]), headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == first


async def test_a_catalog_line_copies_the_item_now(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    item_id = await _catalog_item(client, admin, sku="WH-50G")
    line = await _add(client, admin, order_id, invoice_item_id=item_id, name=None, unit_amount=None)
    assert line["invoice_item_id"] == item_id
    assert (line["sku"], line["name"], line["description"]) == ("WH-50G", "Water heater", "50 gal")
    assert (line["unit_amount"], line["line_total"]) == (129_900, 129_900)
    # Overrides win over the catalog's values.
    custom = await _add(
        client,
        admin,
        order_id,
        invoice_item_id=item_id,
        name="Water heater (discounted)",
        description=None,
        unit_amount=119_900,
        quantity="2",
    )
    assert (custom["sku"], custom["name"], custom["description"]) == (
        "WH-50G",
        "Water heater (discounted)",
        "50 gal",
    )
    assert custom["line_total"] == 239_800
    # Later catalog edits leave the order alone.
    edited = await client.patch(
        f"/v1/invoice-items/{item_id}",
        headers=admin.headers,
        json={"name": "Renamed", "unit_amount": 1},
    )
    assert edited.status_code == 200, edited.text
    again = await client.get(_url(order_id, line["id"]), headers=admin.headers)
    assert again.json() == line
    assert (await _order(client, admin, order_id))["total"] == 129_900 + 239_800


async def test_unknown_or_archived_catalog_items_are_refused(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    archived = await _catalog_item(client, admin)
    response = await client.patch(
        f"/v1/invoice-items/{archived}", headers=admin.headers, json={"is_archived": True}
    )
    assert response.status_code == 200, response.text
    other = await signup(client, "Other company")
    foreign = await _catalog_item(client, other)
    for item_id in (archived, foreign, str(uuid.uuid4())):
        refused = await client.post(
            _url(order_id), headers=admin.headers, json={"invoice_item_id": item_id}
        )
        assert refused.status_code == 422, refused.text
        assert _fields(refused) == ["invoice_item_id"]
    assert (await client.get(_url(order_id), headers=admin.headers)).json()["data"] == []


@pytest.mark.parametrize(
    "quantity",
    [0, -1, "0", "0.000", "1.2345", 1.0001, 1_000_000, "1000000", "abc", "1e2", " 1", True, None],
)
async def test_a_bad_quantity_is_a_422_naming_it(client: httpx.AsyncClient, quantity: Any) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    response = await client.post(
        _url(order_id),
        headers=admin.headers,
        json={"name": "Labour", "unit_amount": 100, "quantity": quantity},
    )
    assert response.status_code == 422, response.text
    assert _fields(response) == ["quantity"]


async def test_the_largest_quantity_and_float_noise_are_kept_exact(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    largest = await _add(client, admin, order_id, quantity="999999.999", unit_amount=1)
    assert (largest["quantity"], largest["line_total"]) == ("999999.999", 1_000_000)
    # 0.001 * 123457 as a binary float is 123.45700000000001: read as 123.457.
    noisy = await _add(client, admin, order_id, quantity=0.001 * 123457, unit_amount=1000)
    assert (noisy["quantity"], noisy["line_total"]) == ("123.457", 123_457)


async def test_an_ad_hoc_line_needs_a_name_and_a_unit_amount(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    for body, missing in (
        ({}, ["name", "unit_amount"]),
        ({"name": "Labour"}, ["unit_amount"]),
        ({"unit_amount": 100}, ["name"]),
        ({"name": "Labour", "unit_amount": -1}, ["unit_amount"]),
        ({"name": " ", "unit_amount": 1}, ["name"]),
        ({"name": "Labour", "unit_amount": 1, "sku": "X"}, ["sku"]),
    ):
        response = await client.post(_url(order_id), headers=admin.headers, json=body)
        assert response.status_code == 422, response.text
        assert _fields(response) == missing, body


async def test_update_recomputes_and_honours_if_match(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    line = await _add(client, admin, order_id, quantity="2", unit_amount=1000)
    url = _url(order_id, line["id"])
    stale = await client.patch(url, headers={**admin.headers, "If-Match": '"7"'}, json={})
    assert stale.status_code == 412
    response = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"quantity": "3.25", "description": "Overtime"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    updated = response.json()
    assert (updated["quantity"], updated["line_total"], updated["description"]) == (
        "3.250",
        3250,
        "Overtime",
    )
    assert updated["name"] == "Labour"
    assert (await _order(client, admin, order_id))["total"] == 3250
    cleared = await client.patch(url, headers=admin.headers, json={"description": None})
    assert cleared.json()["description"] is None
    for body, field in (({"name": None}, "name"), ({"quantity": "0"}, "quantity")):
        refused = await client.patch(url, headers=admin.headers, json=body)
        assert refused.status_code == 422
        assert _fields(refused) == [field]


async def test_lines_cannot_take_the_total_below_what_was_paid(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    line = await _add(client, admin, order_id, quantity="1", unit_amount=10_000)
    paid = await client.post(
        f"/v1/orders/{order_id}/payments", headers=admin.headers, json={"amount": 6000}
    )
    assert paid.status_code == 201, paid.text
    url = _url(order_id, line["id"])
    for body, field in (({"unit_amount": 5999}, "unit_amount"), ({"quantity": "0.5"}, "quantity")):
        refused = await client.patch(url, headers=admin.headers, json=body)
        assert refused.status_code == 422, refused.text
        assert _fields(refused) == [field]
        assert "balance" in refused.json()["detail"]
    deleted = await client.delete(url, headers=admin.headers)
    assert deleted.status_code == 422
    assert deleted.json()["errors"][0]["field"] == "line_id"
    assert deleted.json()["errors"][0]["location"] == "path"
    # Down to exactly what was paid is fine.
    exact = await client.patch(url, headers=admin.headers, json={"unit_amount": 6000})
    assert exact.status_code == 200
    order = await _order(client, admin, order_id)
    assert (order["total"], order["amount_paid"], order["balance_due"]) == (6000, 6000, 0)


async def test_delete_removes_the_line_and_its_amount(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    keep = await _add(client, admin, order_id, unit_amount=700)
    drop = await _add(client, admin, order_id, unit_amount=300)
    url = _url(order_id, drop["id"])
    stale = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert stale.status_code == 412
    assert (
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'})
    ).status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404
    assert (await client.delete(url, headers=admin.headers)).status_code == 404
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()["data"]
    assert [line["id"] for line in listed] == [keep["id"]]
    assert (await _order(client, admin, order_id))["subtotal"] == 700
    # A new line goes after the highest remaining position.
    assert (await _add(client, admin, order_id))["position"] == 2


async def test_lines_are_scoped_to_their_order_and_company(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    other_order = await create_order(client, admin)
    line = await _add(client, admin, order_id)
    assert (
        await client.get(_url(other_order, line["id"]), headers=admin.headers)
    ).status_code == 404
    stranger = await signup(client, "Stranger Co")
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, _url(order_id, line["id"]), headers=stranger.headers, json={}
        )
        assert response.status_code == 404, method
    assert (await client.get(_url(order_id), headers=stranger.headers)).status_code == 404
    refused = await client.post(
        _url(order_id), headers=stranger.headers, json={"name": "X", "unit_amount": 1}
    )
    assert refused.status_code == 404


async def test_reading_needs_orders_read_and_writing_orders_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    line = await _add(client, admin, order_id)
    reader = await member(client, admin, ["orders:read"])
    assert (await client.get(_url(order_id), headers=reader.headers)).status_code == 200
    assert (await client.get(_url(order_id, line["id"]), headers=reader.headers)).status_code == 200
    denied = await client.post(
        _url(order_id), headers=reader.headers, json={"name": "X", "unit_amount": 1}
    )
    assert denied.status_code == 403
    assert denied.json()["permission"] == "orders:write"


async def test_an_order_has_at_most_500_lines(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    async with app.state.sessions() as session:
        session.add_all(
            OrderLine(
                company_id=uuid.UUID(admin.company_id),
                order_id=uuid.UUID(order_id),
                position=position,
                name="Filler",
                quantity=Decimal(1),
                unit_amount=0,
                line_total=0,
            )
            for position in range(1, MAX_LINES)
        )
        await session.commit()
    last = await _add(client, admin, order_id, unit_amount=5)
    assert last["position"] == MAX_LINES
    refused = await client.post(
        _url(order_id), headers=admin.headers, json={"name": "One more", "unit_amount": 1}
    )
    assert refused.status_code == 422
    assert _fields(refused) == ["order_id"]
    listed = (await client.get(_url(order_id), headers=admin.headers)).json()
    assert len(listed["data"]) == MAX_LINES
    assert listed["data"][-1]["id"] == last["id"]
    assert (await _order(client, admin, order_id))["total"] == 5


async def test_line_changes_are_audited_on_the_order_timeline(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    order_id = await create_order(client, admin)
    line = await _add(client, admin, order_id, unit_amount=100)
    url = _url(order_id, line["id"])
    await client.patch(url, headers=admin.headers, json={"unit_amount": 200})
    await client.delete(url, headers=admin.headers)
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "order_line", "entity_id": line["id"]},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == [
        "order_line.deleted",
        "order_line.updated",
        "order_line.created",
    ]
    deleted, updated, created = events
    assert created["after"]["unit_amount"] == 100
    assert (updated["before"]["line_total"], updated["after"]["line_total"]) == (100, 200)
    assert (deleted["before"]["unit_amount"], deleted["after"]) == (200, None)
    async with app.state.sessions() as session:
        parents = (
            await session.execute(
                select(Event.parent_type, Event.parent_id).where(
                    Event.id.in_([uuid.UUID(e["id"]) for e in events])
                )
            )
        ).all()
    assert {(t, str(i)) for t, i in parents} == {("orders", order_id)}
