"""The floor: the least a Python server can do to answer the customer list's first page.

A raw ASGI app (no framework, no auth, no ORM): one asyncpg pool, the list's keyset query
for one company (BENCH_COMPANY_ID), and the same JSON as `GET /v1/customers` — the page of
50 with every field of CustomerRead, `has_more` and a signed `next_cursor` — written with
orjson. Serve it like the API:

    BENCH_COMPANY_ID=<uuid> uvicorn bench.floor:app --port 8001
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
import orjson
from app.customer.models import ROW_FIELDS

from bench.harness.settings import SECRET_KEY, dsn

loads = orjson.loads


def dumps(value: Any) -> bytes:
    body: bytes = orjson.dumps(value, option=orjson.OPT_UTC_Z, default=str)
    return body


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LIMIT = 50
# The columns of a list row, as the API selects them (app.customer.models.ROW_FIELDS).
FIRST_PAGE = f"""
SELECT {", ".join(ROW_FIELDS)}
FROM customer
WHERE company_id = $1
ORDER BY name, id
LIMIT $2
"""  # noqa: S608 - column names from our own constant, values bound
_CURSOR_KEY = hashlib.sha256(("cursor:" + SECRET_KEY).encode()).digest()
_JSON_HEADERS = [(b"content-type", b"application/json")]


def _cursor(company_id: uuid.UUID, name: str, customer_id: uuid.UUID) -> str:
    """The same kind of signed cursor as app.kit.pagination.CursorCodec."""
    payload = dumps({"c": str(company_id), "s": "name", "v": [["v", name], ["uuid", customer_id]]})
    mac = hmac.new(_CURSOR_KEY, payload, hashlib.sha256).digest()[:16]
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return body + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")


class Floor:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.company_id = uuid.UUID(os.environ["BENCH_COMPANY_ID"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.pool is not None
        rows = await self.pool.fetch(FIRST_PAGE, self.company_id, LIMIT + 1)
        has_more = len(rows) > LIMIT
        data: list[dict[str, Any]] = []
        for row in rows[:LIMIT]:
            item = dict(row)
            item["custom_fields"] = loads(item["custom_fields"])
            item["tags"] = []
            item["balance"] = 0
            item["is_lead"] = True
            data.append(item)
        last = rows[LIMIT - 1] if has_more else None
        body = dumps(
            {
                "data": data,
                "has_more": has_more,
                "next_cursor": None
                if last is None
                else _cursor(self.company_id, last["name"], last["id"]),
            }
        )
        await send({"type": "http.response.start", "status": 200, "headers": _JSON_HEADERS})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    dsn(),
                    min_size=int(os.environ.get("BENCH_POOL_SIZE", "10")),
                    max_size=int(os.environ.get("BENCH_POOL_SIZE", "10")),
                    server_settings={"plan_cache_mode": "force_custom_plan", "timezone": "UTC"},
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


app = Floor()
