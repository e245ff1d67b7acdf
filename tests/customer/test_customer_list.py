"""The customer list: filters, sorts with keyset cursors for each, tenancy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Caller, create_customer, create_order, signup


async def _ids(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[str]:
    response = await client.get("/v1/customers", headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


async def _walk(client: httpx.AsyncClient, caller: Caller, sort: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/v1/customers", headers=caller.headers, params=params)).json()
        rows.extend(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            return rows


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("name", "name", False),
        ("-name", "name", True),
        ("number", "number", False),
        ("-number", "number", True),
        ("created_at", "created_at", False),
        ("-created_at", "created_at", True),
    ],
)
async def test_every_sort_pages_completely_in_order(
    client: httpx.AsyncClient, sort: str, key: str, reverse: bool
) -> None:
    admin = await signup(client)
    for name in ("Delta", "alpha", "Charlie", "Bravo", "Echo"):
        await create_customer(client, admin, name=name)
    rows = await _walk(client, admin, sort)
    assert len(rows) == 5
    assert len({r["id"] for r in rows}) == 5
    values = [r[key] for r in rows]
    assert values == sorted(values, reverse=reverse)  # type: ignore[type-var]


async def test_q_searches_name_email_phone_and_account_number(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    by_name = await create_customer(client, admin, name="Harbor View Dental")
    by_email = await create_customer(client, admin, email="office@harborside.example")
    by_phone = await create_customer(client, admin, phone="415 555 0177")
    by_account = await create_customer(client, admin, account_number="HV-2044")
    await create_customer(client, admin, name="Unrelated")
    assert set(await _ids(client, admin, q="HARBOR")) == {by_name, by_email}
    assert await _ids(client, admin, q="5550177") == [by_phone]
    assert await _ids(client, admin, q="hv-20") == [by_account]
    assert await _ids(client, admin, q="%") == []  # LIKE wildcards are literal


async def test_status_tag_lead_and_created_filters(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    vip = (await client.post("/v1/tags", headers=admin.headers, json={"name": "VIP"})).json()["id"]
    net = (await client.post("/v1/tags", headers=admin.headers, json={"name": "Net30"})).json()[
        "id"
    ]
    a = await create_customer(client, admin, tag_ids=[vip])
    b = await create_customer(client, admin, tag_ids=[net], status="disabled")
    c = await create_customer(client, admin)
    await create_order(client, admin, customer_id=a)  # a customer with an order is no lead
    assert set(await _ids(client, admin, tag=[vip, net])) == {a, b}
    assert await _ids(client, admin, status="disabled") == [b]
    assert set(await _ids(client, admin, is_lead=True)) == {b, c}
    assert await _ids(client, admin, is_lead=False) == [a]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await _ids(client, admin, created_from=future) == []
    assert set(await _ids(client, admin, created_to=future)) == {a, b, c}


async def test_custom_field_equality_filter(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = await client.post(
        "/v1/custom-fields",
        headers=admin.headers,
        json={"entity": "customer", "key": "gate_code", "label": "Gate code", "type": "text"},
    )
    assert created.status_code == 201, created.text
    match = await create_customer(client, admin, custom_fields={"gate_code": "1234"})
    await create_customer(client, admin, custom_fields={"gate_code": "9999"})
    assert await _ids(client, admin, **{"cf.gate_code": "1234"}) == [match]
    unknown = await client.get("/v1/customers", headers=admin.headers, params={"cf.nope": "1"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "cf.nope"


async def test_another_companys_customers_never_show(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    await create_customer(client, a, name="Secret Client")
    assert await _ids(client, b, q="secret") == []
    assert await _ids(client, b) == []


async def test_a_list_row_is_the_record_as_get_serves_it(client: httpx.AsyncClient) -> None:
    """The list serves its rows straight from the database; they must read exactly as the
    record does, field for field."""
    admin = await signup(client)
    tag = await client.post("/v1/tags", headers=admin.headers, json={"name": "VIP"})
    customer_id = await create_customer(
        client,
        admin,
        name="Row Check",
        email="row@example.com",
        phone="+1 415 555 0132",
        country="US",
        tag_ids=[tag.json()["id"]],
    )
    listed = await client.get("/v1/customers", headers=admin.headers)
    record = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert listed.json()["data"] == [record.json()]
