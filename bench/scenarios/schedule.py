"""The schedule list (`GET /v1/appointments`, issue 12) over 100,000 appointments of one
company, beside its floor: the same page read by one raw SQL statement through asyncpg and
written with orjson, served by a bare ASGI app in the same run.

Three pairs, each API and floor: the first page of a 92-day period; a deep page of it (the
201st page of 50, reached with a cursor, keyset all the way); the first page of one crew
member's appointments in the period (the user filter).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg
import orjson
from app.kit.pagination import CursorCodec

from bench.harness.db import connect
from bench.harness.rounds import Scenario
from bench.harness.settings import SECRET_KEY
from bench.seed.schedule import ScheduleCompany

DB_NAME = "trackr_bench_schedule"
KEYS = ("schedule_first_page", "schedule_deep_page", "schedule_user_page")
LIMIT = 50
PERIOD_DAYS = 92  # the most a period may span
DEEP_OFFSET = 10_000  # rows of the period before the deep page: page 201
SORT_NAME = "schedule:starts_at"  # app.order.appointment.service.SCHEDULE_SORT

# The page as the API reads it (app.order.appointment.repository.ScheduleRepository
# .page_in_period, then the page's users), in one statement: the appointment, when it ends,
# its order's customer and its users.
_SELECT = """
SELECT a.id, a.order_id, a.location_id, a.kind, a.starts_at, a.duration_minutes, a.notes,
       ARRAY(SELECT au.user_id FROM appointment_user AS au
             WHERE au.company_id = a.company_id AND au.appointment_id = a.id
             ORDER BY au.user_id) AS user_ids,
       a.created_at, a.updated_at,
       a.starts_at + make_interval(mins => a.duration_minutes) AS ends_at, o.customer_id
FROM appointment AS a
JOIN orders AS o ON o.company_id = a.company_id AND o.id = a.order_id
WHERE """
# Overlapping [$2, $3), bounded below by the longest duration, as the API's.
_PERIOD = """a.company_id = $1 AND a.starts_at < $3::timestamptz
  AND a.starts_at > $2::timestamptz - interval '7 days'
  AND a.starts_at + make_interval(mins => a.duration_minutes) > $2::timestamptz
"""
_USER = """
  AND EXISTS (SELECT FROM appointment_user AS f
              WHERE f.company_id = a.company_id AND f.appointment_id = a.id
                AND f.user_id = $5)
"""
_AFTER = "  AND (a.starts_at, a.id) > ($5, $6)\n"
_ORDER = "ORDER BY a.starts_at, a.id LIMIT $4"
QUERIES = {
    "/first": _SELECT + _PERIOD + _ORDER,
    "/deep": _SELECT + _PERIOD + _AFTER + _ORDER,
    "/user": _SELECT + _PERIOD + _USER + _ORDER,
}


@dataclass(frozen=True)
class Layout:
    """What the scenarios ask for: the period, the deep page's cursor, the user filtered."""

    company_id: str
    start: datetime
    end: datetime
    user_id: str
    deep_after: tuple[datetime, uuid.UUID]
    in_period: int  # appointments overlapping the period

    def query(self, **extra: str) -> str:
        params = {"from": self.start.isoformat(), "to": self.end.isoformat(), "limit": LIMIT}
        return urlencode({**params, **extra})

    def floor_env(self, dsn: str) -> dict[str, str]:
        config = {
            "company_id": self.company_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "user_id": self.user_id,
            "after": [self.deep_after[0].isoformat(), str(self.deep_after[1])],
        }
        return {"BENCH_FLOOR_DSN": dsn, "BENCH_SCHEDULE": json.dumps(config)}


async def layout(company: ScheduleCompany) -> Layout:
    """A 92-day period in the middle of the seeded span, the row before its deep page and
    the first crew member."""
    start = company.first + (company.last - company.first) / 2 - timedelta(days=PERIOD_DAYS // 2)
    end = start + timedelta(days=PERIOD_DAYS)
    company_id = uuid.UUID(company.company_id)
    where = _PERIOD
    async with connect(DB_NAME) as connection:
        in_period = await connection.fetchval(
            f"SELECT count(*) FROM appointment AS a WHERE {where}",  # noqa: S608
            company_id,
            start,
            end,
        )
        after = await connection.fetchrow(
            f"SELECT a.starts_at, a.id FROM appointment AS a WHERE {where} "  # noqa: S608
            "ORDER BY a.starts_at, a.id OFFSET $4 LIMIT 1",
            company_id,
            start,
            end,
            DEEP_OFFSET - 1,
        )
    if after is None:
        raise RuntimeError(f"the period has {in_period:,} appointments, not {DEEP_OFFSET:,}")
    return Layout(
        company.company_id,
        start,
        end,
        company.user_ids[0],
        (after["starts_at"], after["id"]),
        int(in_period),
    )


def scenarios(found: Layout, api_key: str) -> list[Scenario]:
    """API and floor of each page, in the order they run."""
    cursor = CursorCodec(SECRET_KEY).encode(
        uuid.UUID(found.company_id), SORT_NAME, list(found.deep_after)
    )
    api = {
        "schedule_first_page": found.query(),
        "schedule_deep_page": found.query(cursor=cursor),
        "schedule_user_page": found.query(user_id=found.user_id),
    }
    titles = {
        "schedule_first_page": "first page",
        "schedule_deep_page": f"deep page (after {DEEP_OFFSET:,} rows)",
        "schedule_user_page": "one user's first page",
    }
    floor_paths = dict(zip(KEYS, ("/first", "/deep", "/user"), strict=True))
    out: list[Scenario] = []
    for key in KEYS:
        out.append(
            Scenario(
                f"{key}_floor",
                f"Floor: {titles[key]} (raw SQL, asyncpg)",
                "floor",
                floor_paths[key],
            )
        )
        out.append(
            Scenario(
                key,
                f"`GET /v1/appointments`, {titles[key]}",
                "api",
                f"/v1/appointments?{api[key]}",
                api_key,
            )
        )
    return out


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
_JSON_HEADERS = [(b"content-type", b"application/json")]


class Floor:
    """The least a Python server does to answer the same pages: one statement a page."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.codec = CursorCodec(SECRET_KEY)
        config = json.loads(os.environ.get("BENCH_SCHEDULE", "{}"))
        if config:
            self.company_id = uuid.UUID(config["company_id"])
            start = datetime.fromisoformat(config["start"])
            end = datetime.fromisoformat(config["end"])
            after = (datetime.fromisoformat(config["after"][0]), uuid.UUID(config["after"][1]))
            base = (self.company_id, start, end, LIMIT + 1)
            self.args: dict[str, tuple[Any, ...]] = {
                "/first": base,
                "/deep": (*base, *after),
                "/user": (*base, uuid.UUID(config["user_id"])),
            }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.pool is not None
        path = scope["path"]
        rows = await self.pool.fetch(QUERIES[path], *self.args[path])
        has_more = len(rows) > LIMIT
        rows = rows[:LIMIT]
        last = rows[-1] if has_more else None
        body = orjson.dumps(
            {
                "data": [dict(row) for row in rows],
                "has_more": has_more,
                "next_cursor": None
                if last is None
                else self.codec.encode(self.company_id, SORT_NAME, [last["starts_at"], last["id"]]),
            },
            option=orjson.OPT_UTC_Z,
            default=str,
        )
        await send({"type": "http.response.start", "status": 200, "headers": _JSON_HEADERS})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                size = int(os.environ.get("BENCH_POOL_SIZE", "10"))
                self.pool = await asyncpg.create_pool(
                    os.environ["BENCH_FLOOR_DSN"],
                    min_size=size,
                    max_size=size,
                    server_settings={"timezone": "UTC"},
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


floor_app = Floor()
