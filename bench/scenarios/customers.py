"""The customer list, search, get by id and CSV export of the big company (issue 3), and
the floor that the list is measured against."""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness.db import connect, load_state, save_state
from bench.harness.log import say
from bench.harness.memory import rss_sampler, status_kb
from bench.harness.rounds import Scenario, preflight
from bench.harness.servers import Server
from bench.seed.customer_data import COMMON_SURNAME, RARE_SURNAME
from bench.seed.customers import Company, SeedState

KEYS = (
    "floor",
    "first_page",
    "deep_page",
    "search_common",
    "search_rare",
    "search_common_1c",
    "search_rare_1c",
    "get_by_id",
    "export",  # not a wrk scenario: `run_export` streams it once a round
)
LIST = "/v1/customers?limit=50&sort=name"
DEEP_FRACTION = 0.9
WALK_LIMIT = 200
GET_BY_ID_PATHS = 1000
DEEP_CURSOR_KEY = "deep_cursor"


@dataclass(frozen=True)
class Facts:
    """What the scenarios ask for, read from the seeded data."""

    ids: list[str]  # for get by id
    matches: dict[str, int]  # rows each search term matches
    postgres: str  # the server's version


async def facts(state: SeedState) -> Facts:
    """Random ids for get by id, and the number of rows each search term matches."""
    async with connect() as connection:
        big = uuid.UUID(state.big)
        ids = await connection.fetch(
            "SELECT id FROM customer WHERE company_id = $1 ORDER BY random() LIMIT $2",
            big,
            GET_BY_ID_PATHS,
        )
        matches = {}
        for term in (COMMON_SURNAME, RARE_SURNAME):
            matches[term] = await connection.fetchval(
                "SELECT count(*) FROM customer WHERE company_id = $1 AND search_text LIKE $2",
                big,
                f"%{term}%",
            )
        server = await connection.fetchval("SHOW server_version")
    return Facts([str(r["id"]) for r in ids], matches, server)


async def walk_to_depth(
    client: httpx.AsyncClient, base: str, token: str, total: int
) -> tuple[str, int, float]:
    """Follow next_cursor with limit=200 pages until 90% of the company's customers are
    behind us; check on the way that (name, id) strictly increases. Returns the cursor,
    the position it starts at and the walk's duration."""
    headers = {"Authorization": f"Bearer {token}"}
    target = int(total * DEEP_FRACTION)
    position, cursor, previous = 0, "", None
    started = time.perf_counter()
    while position < target:
        params: dict[str, str | int] = {"limit": WALK_LIMIT, "sort": "name"}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(f"{base}/v1/customers", params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        for row in body["data"]:
            current = (row["name"], row["id"])
            if previous is not None and not previous < current:
                raise RuntimeError(f"keyset order broken at {position}: {previous} !< {current}")
            previous = current
        position += len(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            raise RuntimeError(f"the list ended at {position} rows, before {target}")
        if position % 100_000 < WALK_LIMIT:
            say(f"  walked {position:,} rows")
    return cursor, position, time.perf_counter() - started


async def deep_cursor(base: str, company: Company, *, rewalk: bool) -> dict[str, Any]:
    """The saved cursor at 90% depth when it still works, else walk to it (and save it)."""
    async with httpx.AsyncClient(timeout=60) as client:
        found: dict[str, Any] | None = None if rewalk else await load_state(DEEP_CURSOR_KEY)
        if found is not None:
            url = f"{base}{LIST}&cursor={found['cursor']}"
            with contextlib.suppress(RuntimeError):
                await preflight(client, url, company.api_key)
                say(f"deep page: saved cursor at row {found['position']:,}")
                return found
        say(f"deep page: walking the list {WALK_LIMIT} rows a page to {DEEP_FRACTION:.0%}")
        cursor, position, seconds = await walk_to_depth(
            client, base, company.api_key, company.customers
        )
    found = {
        "cursor": cursor,
        "position": position,
        "walk_seconds": round(seconds, 1),
        "walk_pages_per_s": round(position / WALK_LIMIT / seconds, 1),
    }
    say(
        f"deep page: {position:,} rows in {seconds:.1f} s "
        f"({found['walk_pages_per_s']} pages of {WALK_LIMIT}/s)"
    )
    await save_state(DEEP_CURSOR_KEY, found)
    return found


def scenarios(
    big: Company, found: Facts, deep: dict[str, Any] | None, log_dir: Path
) -> list[Scenario]:
    """The floor and the customer scenarios, in the order they run (deep_page only with its
    cursor); get by id's paths file is written to `log_dir`."""
    paths_file = log_dir / "get-by-id.txt"
    paths_file.write_text("".join(f"/v1/customers/{i}\n" for i in found.ids))
    key = big.api_key
    loads = [
        Scenario("floor", "Floor: first page (raw ASGI + asyncpg + orjson)", "floor", LIST),
        Scenario("first_page", "First page of 50, sort=name", "api", LIST, key),
    ]
    if deep is not None:
        loads.append(
            Scenario(
                "deep_page",
                f"Page at {DEEP_FRACTION:.0%} depth (cursor)",
                "api",
                f"{LIST}&cursor={deep['cursor']}",
                key,
                note=f"row {deep['position']:,}",
            )
        )
    # The search target is a latency: at 32 connections a request mostly waits its turn
    # behind the 31 others (its p99 is the queue), so the same searches are also measured
    # one request at a time.
    for one_at_a_time in (False, True):
        for term, kind in ((COMMON_SURNAME, "common"), (RARE_SURNAME, "rare")):
            loads.append(
                Scenario(
                    f"search_{kind}" + ("_1c" if one_at_a_time else ""),
                    f"q={term} ({kind})" + (", 1 connection" if one_at_a_time else ""),
                    "api",
                    f"{LIST}&q={term}",
                    key,
                    note="latency without a queue"
                    if one_at_a_time
                    else f"{found.matches[term]:,} matches",
                    connections=1 if one_at_a_time else None,
                )
            )
    loads.append(
        Scenario(
            "get_by_id",
            "Get by id",
            "api",
            "/v1/customers/{id}",
            key,
            paths_file,
            note=f"{len(found.ids):,} random ids in turn",
        )
    )
    return loads


@dataclass
class ExportResult:
    rows: int
    bytes: int
    seconds: float
    first_byte_ms: float
    rows_per_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    hwm_before_mb: float
    hwm_after_mb: float

    @property
    def growth_mb(self) -> float:
        return round(self.rss_peak_mb - self.rss_before_mb, 1)


async def run_export(server: Server, token: str, window: tuple[str, str]) -> ExportResult:
    """Stream the CSV export of the customers who joined in `window`, once, counting its
    rows and the server's memory while it runs."""
    params = {"created_from": window[0], "created_to": window[1]}
    headers = {"Authorization": f"Bearer {token}"}
    mb = 1 / 1024
    hwm_before = status_kb(server.pid, "VmHWM")
    rss_before = status_kb(server.pid, "VmRSS")
    newlines = size = 0
    first_byte = None
    async with httpx.AsyncClient(timeout=300) as client:
        with rss_sampler(server.pid) as peak:
            started = time.perf_counter()
            async with client.stream(
                "GET", f"{server.base}/v1/customers/export", params=params, headers=headers
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise RuntimeError(f"export: {response.status_code} {response.text[:500]}")
                async for chunk in response.aiter_raw():
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    newlines += chunk.count(b"\n")
                    size += len(chunk)
            seconds = time.perf_counter() - started
    rows = newlines - 1  # the header row
    return ExportResult(
        rows=rows,
        bytes=size,
        seconds=round(seconds, 2),
        first_byte_ms=round((first_byte or 0) * 1000, 1),
        rows_per_s=round(rows / seconds),
        rss_before_mb=round(rss_before * mb, 1),
        rss_peak_mb=round(peak["peak_kb"] * mb, 1),
        rss_after_mb=round(status_kb(server.pid, "VmRSS") * mb, 1),
        hwm_before_mb=round(hwm_before * mb, 1),
        hwm_after_mb=round(status_kb(server.pid, "VmHWM") * mb, 1),
    )
