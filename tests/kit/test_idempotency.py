"""Idempotency-Key: replay, mismatch, concurrency, release on failure, company scope."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.factories import signup


def _group(name: str) -> dict[str, object]:
    return {"name": name, "permissions": ["customers:read"]}


async def _count_groups(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> int:
    listed = await client.get("/v1/groups", headers=headers, params={"limit": 200})
    return sum(1 for g in listed.json()["data"] if g["name"] == name)


async def test_same_key_same_body_replays_without_a_second_write(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    headers = {**admin.headers, "Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/v1/groups", headers=headers, json=_group("Office"))
    second = await client.post("/v1/groups", headers=headers, json=_group("Office"))
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["location"] == first.headers["location"]
    assert await _count_groups(client, admin.headers, "Office") == 1


async def test_same_key_other_body_is_422(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    headers = {**admin.headers, "Idempotency-Key": "reused-key"}
    assert (await client.post("/v1/groups", headers=headers, json=_group("A"))).status_code == 201
    response = await client.post("/v1/groups", headers=headers, json=_group("B"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_keys_are_scoped_to_the_company(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    key = {"Idempotency-Key": "shared-key"}
    ra = await client.post("/v1/groups", headers={**a.headers, **key}, json=_group("Same"))
    rb = await client.post("/v1/groups", headers={**b.headers, **key}, json=_group("Same"))
    assert ra.status_code == rb.status_code == 201
    assert "idempotent-replayed" not in rb.headers
    assert ra.json()["id"] != rb.json()["id"]


async def test_a_failed_request_releases_its_key(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await client.post("/v1/groups", headers=admin.headers, json=_group("Taken"))
    headers = {**admin.headers, "Idempotency-Key": "after-failure"}
    failed = await client.post("/v1/groups", headers=headers, json=_group("Taken"))
    assert failed.status_code == 409
    # Nothing was stored for the failure: the same key now runs the (same) request again.
    again = await client.post("/v1/groups", headers=headers, json=_group("Taken"))
    assert again.status_code == 409
    assert "idempotent-replayed" not in again.headers


async def test_concurrent_requests_with_one_key_write_once(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    headers = {**admin.headers, "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(client.post("/v1/groups", headers=headers, json=_group("Racy")) for _ in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1
    conflicts = [r for r in responses if r.status_code == 409]
    assert all(r.headers["content-type"] == "application/problem+json" for r in conflicts)
    assert await _count_groups(client, admin.headers, "Racy") == 1
