from __future__ import annotations

import httpx

from app.main import create_app
from tests.conftest import client_for, make_settings


async def test_live_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {
        "status": "ok",
        "database": None,
        "redis": None,
    }
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_ready_is_503_naming_what_is_down(database_url: str) -> None:
    # Nothing listens on port 1: Redis is "down" for this app.
    app = create_app(make_settings(database_url, "redis://127.0.0.1:1/0"))
    async with client_for(app) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
