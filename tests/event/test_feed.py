"""The change feed: every event exactly once, in commit order, however transactions
interleave; deletions as tombstones; a cursor to poll with."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy import make_url

from tests.factories import Caller, create_customer, signup


@pytest.fixture
async def raw(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Connections of the test's database, for transactions whose commits a test orders."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    async with asyncpg.create_pool(dsn, min_size=2, max_size=25) as pool:
        yield pool


async def _insert_event(
    connection: PoolConnectionProxy[asyncpg.Record], company_id: str, kind: str
) -> str:
    event_id: uuid.UUID = await connection.fetchval(
        "INSERT INTO event (id, company_id, type, entity_type, entity_id)"
        " VALUES (gen_random_uuid(), $1, $2, 'probe', gen_random_uuid()) RETURNING id",
        uuid.UUID(company_id),
        kind,
    )
    return str(event_id)


async def _feed(
    client: httpx.AsyncClient, caller: Caller, after: str | None = None, **params: Any
) -> dict[str, Any]:
    if after is not None:
        params["after"] = after
    response = await client.get("/v1/events/feed", headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _drain(
    client: httpx.AsyncClient, caller: Caller, after: str | None = None, **params: Any
) -> tuple[list[dict[str, Any]], str]:
    events: list[dict[str, Any]] = []
    while True:
        page = await _feed(client, caller, after, **params)
        events += page["data"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return events, after


async def test_the_feed_serves_each_event_once_in_order_with_tombstones(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    first, cursor = await _drain(client, admin, limit=3)
    assert first
    assert {"company.created", "user.created"} <= {e["type"] for e in first}
    customers = [await create_customer(client, admin) for _ in range(3)]
    deleted = await client.delete(f"/v1/customers/{customers[1]}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text

    later, cursor = await _drain(client, admin, cursor, limit=2)
    assert [(e["type"], e["entity_id"]) for e in later] == [
        ("customer.created", customers[0]),
        ("customer.created", customers[1]),
        ("customer.created", customers[2]),
        ("customer.deleted", customers[1]),
    ]
    assert [e["tombstone"] for e in later] == [False, False, False, True]
    assert later[-1]["after"] is None
    assert later[-1]["before"]["id"] == customers[1]
    # Everything, from the start, once; and an empty poll keeps its place.
    everything, _ = await _drain(client, admin, limit=5)
    assert [e["id"] for e in everything] == [e["id"] for e in first + later]
    empty = await _feed(client, admin, cursor)
    assert empty["data"] == []
    assert not empty["has_more"]
    newest = await create_customer(client, admin)
    polled = await _feed(client, admin, empty["next_cursor"])
    assert [e["entity_id"] for e in polled["data"]] == [newest]


async def test_the_feed_filters_by_type(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = [await create_customer(client, admin) for _ in range(2)]
    await client.delete(f"/v1/customers/{created[0]}", headers=admin.headers)
    events, _ = await _drain(client, admin, types=["customer.deleted", "customer.created"])
    assert [e["type"] for e in events] == ["customer.created"] * 2 + ["customer.deleted"]
    bad = await client.get("/v1/events/feed", headers=admin.headers, params={"types": "customers"})
    assert bad.status_code == 422


async def test_a_cursor_is_the_companys_own(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    stranger = await signup(client)
    _, cursor = await _drain(client, admin)
    for after in (cursor, "not-a-cursor"):
        response = await client.get(
            "/v1/events/feed", headers=stranger.headers, params={"after": after}
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["after"]


async def test_an_event_waits_for_every_older_transaction(
    client: httpx.AsyncClient, raw: asyncpg.Pool
) -> None:
    """A wrote first and commits last: a reader must not pass B before A is visible."""
    admin = await signup(client)
    _, cursor = await _drain(client, admin)
    async with raw.acquire() as slow, raw.acquire() as quick:
        transaction = slow.transaction()
        await transaction.start()
        a = await _insert_event(slow, admin.company_id, "probe.a")
        async with quick.transaction():
            b = await _insert_event(quick, admin.company_id, "probe.b")
        waiting = await _feed(client, admin, cursor)
        assert waiting["data"] == []
        assert waiting["next_cursor"] == cursor
        await transaction.commit()
    after, _ = await _drain(client, admin, cursor)
    assert [e["id"] for e in after] == [a, b]


async def test_twenty_interleaved_writers_and_a_polling_reader(
    client: httpx.AsyncClient, raw: asyncpg.Pool
) -> None:
    admin = await signup(client)
    _, start = await _drain(client, admin)
    written: list[str] = []
    rng = random.Random(7)  # noqa: S311 - timing jitter, not a secret

    async def writer() -> None:
        for _ in range(5):
            async with raw.acquire() as connection, connection.transaction():
                written.append(await _insert_event(connection, admin.company_id, "probe.w"))
                await asyncio.sleep(rng.uniform(0, 0.03))
                written.append(await _insert_event(connection, admin.company_id, "probe.w"))
            await asyncio.sleep(rng.uniform(0, 0.01))

    seen: list[str] = []
    done = asyncio.Event()

    async def reader() -> None:
        cursor = start
        while True:
            finished = done.is_set()
            page = await _feed(client, admin, cursor, limit=7)
            seen.extend(e["id"] for e in page["data"])
            cursor = page["next_cursor"]
            if finished and not page["has_more"] and not page["data"]:
                return

    polling = asyncio.create_task(reader())
    await asyncio.gather(*(writer() for _ in range(20)))
    done.set()
    await polling
    assert len(written) == 200
    assert len(seen) == len(set(seen))
    assert set(seen) == set(written)
