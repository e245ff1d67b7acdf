"""Bulk actions (one result per id) and the streamed CSV export."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from app.customer import export
from app.customer.models import Customer
from tests.factories import create_customer, member, signup


async def test_bulk_disable_reports_each_id(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    mine = [await create_customer(client, a) for _ in range(3)]
    theirs = await create_customer(client, b)
    missing = str(uuid.uuid4())
    response = await client.post(
        "/v1/customers/bulk",
        headers=a.headers,
        json={"action": "disable", "ids": [*mine, theirs, missing]},
    )
    assert response.status_code == 200, response.text
    results = {r["id"]: r["status"] for r in response.json()["data"]}
    assert results == {**dict.fromkeys(mine, "ok"), theirs: "not_found", missing: "not_found"}
    listed = await client.get("/v1/customers", headers=a.headers, params={"status": "disabled"})
    assert {c["id"] for c in listed.json()["data"]} == set(mine)
    theirs_now = await client.get(f"/v1/customers/{theirs}", headers=b.headers)
    assert theirs_now.json()["status"] == "active"
    events = await client.get(
        "/v1/events", headers=a.headers, params={"entity_type": "customer", "entity_id": mine[0]}
    )
    assert [e["type"] for e in events.json()["data"]] == ["customer.updated", "customer.created"]


async def test_bulk_update_isolates_a_failing_item(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = await create_customer(client, admin, account_number="A-1")
    second = await create_customer(client, admin)
    # Setting one account number on both: the second collides with the first's.
    response = await client.post(
        "/v1/customers/bulk",
        headers=admin.headers,
        json={"action": "update", "ids": [first, second], "fields": {"account_number": "A-1"}},
    )
    data = {r["id"]: r for r in response.json()["data"]}
    assert data[first]["status"] == "ok"
    assert data[second]["status"] == "error"
    assert data[second]["problem"]["status"] == 409
    assert data[second]["problem"]["field"] == "account_number"


async def test_bulk_tags_and_delete_permission(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    writer = await member(client, admin, ["customers:read", "customers:write"])
    tag = (await client.post("/v1/tags", headers=admin.headers, json={"name": "Spring"})).json()
    ids = [await create_customer(client, admin) for _ in range(2)]
    added = await client.post(
        "/v1/customers/bulk",
        headers=writer.headers,
        json={"action": "add_tags", "ids": ids, "tag_ids": [tag["id"]]},
    )
    assert {r["status"] for r in added.json()["data"]} == {"ok"}
    tagged = await client.get("/v1/customers", headers=admin.headers, params={"tag": tag["id"]})
    assert len(tagged.json()["data"]) == 2
    denied = await client.post(
        "/v1/customers/bulk", headers=writer.headers, json={"action": "delete", "ids": ids}
    )
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:delete"
    removed = await client.post(
        "/v1/customers/bulk",
        headers=admin.headers,
        json={"action": "remove_tags", "ids": ids, "tag_ids": [tag["id"]]},
    )
    assert {r["status"] for r in removed.json()["data"]} == {"ok"}
    deleted = await client.post(
        "/v1/customers/bulk", headers=admin.headers, json={"action": "delete", "ids": ids}
    )
    assert {r["status"] for r in deleted.json()["data"]} == {"ok"}


async def test_bulk_refuses_too_many_ids_and_missing_fields(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    too_many = [str(uuid.uuid4()) for _ in range(1001)]
    response = await client.post(
        "/v1/customers/bulk", headers=admin.headers, json={"action": "enable", "ids": too_many}
    )
    assert response.status_code == 422
    # The action picks the body's shape, so the field is named under it: `enable.ids`.
    assert response.json()["errors"][0]["field"] == "enable.ids"
    no_fields = await client.post(
        "/v1/customers/bulk",
        headers=admin.headers,
        json={"action": "update", "ids": [too_many[0]]},
    )
    assert no_fields.status_code == 422
    assert any(e["field"].endswith("fields") for e in no_fields.json()["errors"])


async def test_export_streams_csv_with_filters_and_custom_fields(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await signup(client)
    await client.post(
        "/v1/custom-fields",
        headers=admin.headers,
        json={"entity": "customer", "key": "gate_code", "label": "Gate", "type": "text"},
    )
    vip = (await client.post("/v1/tags", headers=admin.headers, json={"name": "VIP"})).json()
    await create_customer(
        client,
        admin,
        name="=HYPERLINK(evil)",
        phone="+1 415 555 0132",
        tag_ids=[vip["id"]],
        custom_fields={"gate_code": "42"},
    )
    # Many more rows, inserted directly: enough for several streamed chunks.
    async with app.state.sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO customer (id, company_id, number, name, name_key, status, "
                "custom_fields, is_default, version) "
                "SELECT gen_random_uuid(), :company, 100 + n, 'Bulk ' || n, 'bulk ' || n, "
                "'active', '{}', false, 1 FROM generate_series(1, 5000) AS n"
            ),
            {"company": admin.company_id},
        )
    async with client.stream("GET", "/v1/customers/export", headers=admin.headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        chunks = [chunk async for chunk in response.aiter_bytes()]
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    header, first = rows[0], rows[1]
    assert header[:3] == ["id", "number", "name"]
    assert header[-1] == "cf.gate_code"
    assert len(rows) == 1 + 5001
    assert first[2] == "'=HYPERLINK(evil)"  # neutralised for spreadsheets
    assert first[header.index("phone")] == "+14155550132"
    assert first[header.index("tags")] == "VIP"
    assert first[-1] == "42"
    filtered = await client.get(
        "/v1/customers/export", headers=admin.headers, params={"q": "hyperlink"}
    )
    assert len(list(csv.reader(io.StringIO(filtered.text)))) == 2


async def test_export_yields_one_chunk_per_batch_from_a_cursor(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Rows arrive in partitions of BATCH_ROWS from a server-side cursor: the process holds
    one batch at a time, never the whole result."""
    admin = await signup(client)
    company_id = uuid.UUID(admin.company_id)
    async with app.state.sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO customer (id, company_id, number, name, name_key, status, "
                "custom_fields, is_default, version) "
                "SELECT gen_random_uuid(), :company, n, 'Row ' || n, 'row ' || n, "
                "'active', '{}', false, 1 FROM generate_series(1, :rows) AS n"
            ),
            {"company": company_id, "rows": 2 * export.BATCH_ROWS + 1},
        )
    filtered = select(Customer).where(Customer.company_id == company_id)
    chunks = [
        chunk async for chunk in export.stream_csv(app.state.sessions, company_id, filtered, [])
    ]
    assert len(chunks) == 1 + 3  # the header, then three partitions
    assert sum(chunk.count(b"\n") for chunk in chunks) == 1 + 2 * export.BATCH_ROWS + 1
