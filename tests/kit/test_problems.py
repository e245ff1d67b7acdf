"""Every error is RFC 9457 problem+json, and no 500 leaks a traceback."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, FastAPI

from app.auth.dependencies import PUBLIC
from app.config import Settings
from app.kit.unit_of_work import UnitOfWorkRoute
from app.main import create_app
from tests.conftest import client_for, make_settings
from tests.factories import signup

PROBLEM = "application/problem+json"


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert str(body["type"]).startswith("https://trackr.dev/problems/")
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.get("/v1/nothing-here"), 404)


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/me")
    _assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_missing_resource_is_a_404_problem(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.get(
        "/v1/groups/01900000-0000-7000-8000-000000000000", headers=admin.headers
    )
    _assert_problem(response, 404)


async def test_a_malformed_id_names_no_resource(client: httpx.AsyncClient) -> None:
    # Ids are UUIDs in the route itself, so `/v1/customers/duplicates` can never be read as
    # customer "duplicates", and a malformed id is simply a path that does not exist.
    admin = await signup(client)
    _assert_problem(await client.get("/v1/groups/not-a-uuid", headers=admin.headers), 404)


async def test_malformed_json_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/signup", content=b"{not json", headers={"content-type": "application/json"}
    )
    _assert_problem(response, 422)


async def test_body_over_the_limit_is_413(database_url: str, redis_url: str) -> None:
    app = create_app(make_settings(database_url, redis_url, max_body_bytes=1000))
    async with client_for(app) as http:
        response = await http.post(
            "/v1/signup",
            content=b"{" + b" " * 2000 + b"}",
            headers={"content-type": "application/json"},
        )
        _assert_problem(response, 413)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(5):
                yield b" " * 400

        streamed = await http.post(
            "/v1/signup", content=chunks(), headers={"content-type": "application/json"}
        )
        _assert_problem(streamed, 413)


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


async def test_a_crash_is_a_500_problem_without_traceback(settings: Settings) -> None:
    app: FastAPI = create_app(settings)

    boom = APIRouter(route_class=UnitOfWorkRoute)

    @boom.get("/boom", dependencies=[PUBLIC])
    async def explode() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.include_router(boom)
    async with client_for(app) as http:
        response = await http.get("/boom")
    body = _assert_problem(response, 500)
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert body["type"] == "https://trackr.dev/problems/internal-error"


async def test_rate_limit_answers_429_with_retry_after(database_url: str, redis_url: str) -> None:
    app = create_app(make_settings(database_url, redis_url, rate_limit_public_per_minute=3))
    # A client address of its own, so no other test (or earlier run) shares this budget.
    async with client_for(app, client_ip=f"2001:db8::{uuid.uuid4().hex[:4]}") as http:
        statuses = [
            (
                await http.post("/v1/auth/token", json={"email": "a@b.co", "password": "x"})
            ).status_code
            for _ in range(4)
        ]
        assert statuses[:3] == [401, 401, 401]
        limited = await http.post("/v1/auth/token", json={"email": "a@b.co", "password": "x"})
    _assert_problem(limited, 429)
    assert 1 <= int(limited.headers["retry-after"]) <= 61


async def test_rate_limit_is_per_credential(database_url: str, redis_url: str) -> None:
    app = create_app(make_settings(database_url, redis_url, rate_limit_per_minute=2))
    async with client_for(app) as http:
        a = await signup(http)
        b = await signup(http)
        for _ in range(2):
            assert (await http.get("/v1/me", headers=a.headers)).status_code == 200
        _assert_problem(await http.get("/v1/me", headers=a.headers), 429)
        assert (await http.get("/v1/me", headers=b.headers)).status_code == 200
