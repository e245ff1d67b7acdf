"""Keyset pagination: complete, stable, bounded, and cursors that cannot be forged or moved."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import create_group, signup


async def _pages(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, limit: int
) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(url, headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([row["id"] for row in body["data"]])
        cursor = body["next_cursor"]
        assert body["has_more"] is (cursor is not None)
        if cursor is None:
            return pages


async def test_walking_the_cursor_visits_every_row_once_in_order(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    for i in range(7):
        await create_group(client, admin, [], name=f"g{i:02d}")
    pages = await _pages(client, admin.headers, "/v1/groups", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    names = []
    for page in pages:
        for group_id in page:
            names.append(
                (await client.get(f"/v1/groups/{group_id}", headers=admin.headers)).json()["name"]
            )
    assert names == [f"g{i:02d}" for i in range(7)]


async def test_descending_sort_pages_newest_first(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    # Whatever signup audited (the company, its admin, its default order statuses).
    at_signup = sum(map(len, await _pages(client, admin.headers, "/v1/events", 50)))
    for _ in range(4):
        await create_group(client, admin, [])
    ids = [i for page in await _pages(client, admin.headers, "/v1/events", 2) for i in page]
    # Each group wrote 1 event; UUIDv7 ids sort by creation time.
    assert len(ids) == len(set(ids)) == at_signup + 4
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_limit_out_of_range_is_422(client: httpx.AsyncClient, limit: int) -> None:
    admin = await signup(client)
    response = await client.get("/v1/groups", headers=admin.headers, params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


async def test_default_limit_is_50(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for i in range(51):
        await client.post(
            "/v1/groups", headers=admin.headers, json={"name": f"n{i}", "permissions": []}
        )
    body = (await client.get("/v1/groups", headers=admin.headers)).json()
    assert len(body["data"]) == 50
    assert body["has_more"] is True


async def _cursor(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> str:
    body = (await client.get(url, headers=headers, params={"limit": 1})).json()
    cursor: str = body["next_cursor"]
    assert cursor
    return cursor


async def test_tampered_cursor_is_422(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    await create_group(client, admin, [])
    await create_group(client, admin, [])
    cursor = await _cursor(client, admin.headers, "/v1/groups")
    body, signature = cursor.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (f"{flipped}.{signature}", "garbage", f"{body}.", cursor + "x"):
        response = await client.get("/v1/groups", headers=admin.headers, params={"cursor": bad})
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == "cursor"


async def test_cursor_is_bound_to_its_company_and_sort(client: httpx.AsyncClient) -> None:
    a = await signup(client)
    b = await signup(client)
    for caller in (a, b):
        await client.post(
            "/v1/users",
            headers=caller.headers,
            json={
                "email": f"x{caller.user_id[:8]}@example.com",
                "name": "X",
                "password": "long-enough-pass",
            },
        )
    cursor = await _cursor(client, a.headers, "/v1/users?sort=created_at")
    other_company = await client.get("/v1/users", headers=b.headers, params={"cursor": cursor})
    assert other_company.status_code == 422
    other_sort = await client.get(
        "/v1/users", headers=a.headers, params={"cursor": cursor, "sort": "name"}
    )
    assert other_sort.status_code == 422
