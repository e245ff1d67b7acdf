"""The customer record: numbering, duplicates, default, inline edit, delete, timeline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import create_customer, member, signup


async def test_create_numbers_normalises_and_reads_back(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/customers",
        headers=admin.headers,
        json={
            "name": "Jane Homeowner",
            "email": "Jane@Example.com",
            "phone": "(415) 555-0132",
            "alt_phone": "+44 20 7946 0958",
            "postal_code": "94105",
            "country": "US",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == 1
    assert body["phone"] == "+14155550132"
    assert body["alt_phone"] == "+442079460958"
    assert body["email"] == "jane@example.com"
    assert body["status"] == "active"
    assert body["balance"] == 0
    assert body["is_lead"] is True
    assert body["tags"] == []
    assert response.headers["etag"] == '"1"'
    fetched = await client.get(response.headers["location"], headers=admin.headers)
    assert fetched.json() == body


async def test_numbers_are_dense_and_unique_under_concurrency(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    responses = await asyncio.gather(
        *(
            client.post("/v1/customers", headers=admin.headers, json={"name": f"Parallel {i}"})
            for i in range(10)
        )
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sorted(r.json()["number"] for r in responses) == list(range(1, 11))


async def test_numbers_are_per_company(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    await create_customer(client, a)
    first_b = await client.post("/v1/customers", headers=b.headers, json={"name": "B1"})
    assert first_b.json()["number"] == 1


async def test_unparseable_phone_is_422_naming_the_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/customers", headers=admin.headers, json={"name": "X", "alt_phone": "12"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["alt_phone"]


async def test_duplicates_are_refused_listing_matches_unless_confirmed(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    original = await client.post(
        "/v1/customers",
        headers=admin.headers,
        json={"name": "O'Brien Plumbing, Inc.", "email": "ob@example.com", "phone": "4155550100"},
    )
    assert original.status_code == 201
    for clash in (
        {"name": "obrien  plumbing inc"},
        {"name": "Someone Else", "email": "OB@example.com"},
        {"name": "Third", "alt_phone": "+1 415 555 0100"},
    ):
        refused = await client.post("/v1/customers", headers=admin.headers, json=clash)
        assert refused.status_code == 409, clash
        assert refused.json()["matches"] == [
            {"id": original.json()["id"], "number": 1, "name": "O'Brien Plumbing, Inc."}
        ]
    confirmed = await client.post(
        "/v1/customers",
        headers=admin.headers,
        json={"name": "OBrien Plumbing Inc", "confirm_duplicate": True},
    )
    assert confirmed.status_code == 201


async def test_duplicates_endpoint_ranks_exact_then_similar(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    exact = await create_customer(client, admin, name="Acme Heating")
    near = await create_customer(client, admin, name="Acme Heatings")
    await create_customer(client, admin, name="Zebra Roofing")
    response = await client.get(
        "/v1/customers/duplicates", headers=admin.headers, params={"name": "acme heating"}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert [d["id"] for d in data] == [exact, near]
    assert data[0]["reasons"] == ["name"]
    assert data[0]["score"] == 1.0
    assert data[1]["reasons"] == ["similar_name"]
    assert 0 < data[1]["score"] < 1


async def test_one_default_customer_per_company(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = await create_customer(client, admin, is_default=True)
    second = await create_customer(client, admin, is_default=True)
    assert (await client.get(f"/v1/customers/{first}", headers=admin.headers)).json()[
        "is_default"
    ] is False
    third = await create_customer(client, admin)
    patched = await client.patch(
        f"/v1/customers/{third}", headers=admin.headers, json={"is_default": True}
    )
    assert patched.json()["is_default"] is True
    defaults = [
        c["id"]
        for c in (await client.get("/v1/customers", headers=admin.headers)).json()["data"]
        if c["is_default"]
    ]
    assert defaults == [third]
    assert second != third


async def test_account_number_is_unique_per_company(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    await create_customer(client, a, account_number="ACC-1")
    refused = await client.post(
        "/v1/customers", headers=a.headers, json={"name": "Other", "account_number": "ACC-1"}
    )
    assert refused.status_code == 409
    assert refused.json()["field"] == "account_number"
    await create_customer(client, b, account_number="ACC-1")


async def test_inline_edit_changes_one_field_and_guards_with_if_match(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Before", email="a@example.com")
    read = await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    edited = await client.patch(
        f"/v1/customers/{customer_id}",
        headers={**admin.headers, "If-Match": read.headers["etag"]},
        json={"name": "After"},
    )
    assert edited.status_code == 200
    assert edited.json()["name"] == "After"
    assert edited.json()["email"] == "a@example.com"
    stale = await client.patch(
        f"/v1/customers/{customer_id}",
        headers={**admin.headers, "If-Match": read.headers["etag"]},
        json={"status": "disabled"},
    )
    assert stale.status_code == 412
    cleared = await client.patch(
        f"/v1/customers/{customer_id}", headers=admin.headers, json={"email": None}
    )
    assert cleared.json()["email"] is None
    refused = await client.patch(
        f"/v1/customers/{customer_id}", headers=admin.headers, json={"name": None}
    )
    assert refused.status_code == 422


async def test_delete_is_audited_with_a_snapshot_and_needs_delete_permission(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    writer = await member(client, admin, ["customers:read", "customers:write"])
    customer_id = await create_customer(client, admin, name="Gone Soon")
    denied = await client.delete(f"/v1/customers/{customer_id}", headers=writer.headers)
    assert denied.status_code == 403
    assert denied.json()["permission"] == "customers:delete"
    deleted = await client.delete(f"/v1/customers/{customer_id}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"/v1/customers/{customer_id}", headers=admin.headers)
    ).status_code == 404
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "customer", "entity_id": customer_id},
        )
    ).json()["data"]
    assert [e["type"] for e in events] == ["customer.deleted", "customer.created"]
    assert events[0]["before"]["name"] == "Gone Soon"
    assert events[0]["after"] is None


async def test_activity_is_the_customers_timeline(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin, name="Timeline")
    await client.patch(f"/v1/customers/{customer_id}", headers=admin.headers, json={"city": "Oslo"})
    other = await create_customer(client, admin)
    activity = await client.get(f"/v1/customers/{customer_id}/activity", headers=admin.headers)
    assert activity.status_code == 200
    types = [e["type"] for e in activity.json()["data"]]
    assert types == ["customer.updated", "customer.created"]
    assert other not in activity.text


@contextmanager
def count_statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL the app runs meanwhile: through SQLAlchemy, and the prepared reads it runs on
    asyncpg itself (app/kit/statements.py)."""
    statements: list[str] = []

    def before(*args: Any) -> None:
        statements.append(args[2])

    def spy(name: str) -> Any:
        original = getattr(asyncpg.Connection, name)

        async def counted(self: asyncpg.Connection, query: str, *args: Any, **kw: Any) -> Any:
            statements.append(query)
            return await original(self, query, *args, **kw)

        return original, counted

    originals = {}
    for name in ("fetch", "fetchrow"):
        originals[name], counted = spy(name)
        setattr(asyncpg.Connection, name, counted)
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for name, original in originals.items():
            setattr(asyncpg.Connection, name, original)


async def test_list_runs_a_constant_number_of_statements(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await signup(client)
    tag = await client.post("/v1/tags", headers=admin.headers, json={"name": "vip"})
    tag_ids = [tag.json()["id"]] if tag.status_code == 201 else []
    for i in range(30):
        await create_customer(client, admin, name=f"Count {i:02d}", tag_ids=tag_ids)
    counts = []
    for limit in (1, 5, 30):
        with count_statements(app) as statements:
            response = await client.get(
                "/v1/customers", headers=admin.headers, params={"limit": limit}
            )
        assert response.status_code == 200
        assert len(response.json()["data"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] >= 1  # the page itself is counted
