"""Seed the benchmark database: 10 companies, one of them with 1,000,000 customers and
200,000 orders.

    python -m bench.seed          # reuse the database if a finished seed of this size is there
    python -m bench.seed --reset  # drop and rebuild it

Steps, each timed: create the database, `alembic upgrade head`, sign up the companies and
create an API key for each through the app itself (in process, over ASGI), then COPY the
customers in with the plain (non-constraint) indexes of `customer` dropped, rebuild those
indexes from their own definitions, set the numbering counters, VACUUM ANALYZE. Then the
big company's orders (bench/orders.py), a step of its own recorded apart, so that a
database seeded before it gets it on reuse.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from alembic import command
from alembic.config import Config

from bench import data
from bench.common import (
    DB_NAME,
    REDIS_URL,
    ROOT,
    SECRET_KEY,
    Company,
    SeedState,
    database_exists,
    dsn,
    read_state,
    sqlalchemy_url,
    write_state,
)

BIG_CUSTOMERS = 1_000_000
SMALL_CUSTOMERS = 3_000
COMPANIES = 10
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway local database
# Export scenario: customers who joined in this slice of the big company's history (~10%).
EXPORT_SLICE = (0.45, 0.55)
T = TypeVar("T")


def log(message: str) -> None:
    print(f"seed: {message}", flush=True)


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, label: str, step: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = step()
        self._done(label, started)
        return result

    async def arun(self, label: str, step: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        result = await step()
        self._done(label, started)
        return result

    def _done(self, label: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.timings[label] = round(elapsed, 2)
        log(f"{label}: {elapsed:.1f} s")


async def recreate_database(name: str = DB_NAME) -> None:
    connection = await asyncpg.connect(dsn("postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def migrate(name: str = DB_NAME) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(name).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@contextlib.asynccontextmanager
async def api_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app itself, in process over ASGI (lifespan run), configured as the
    harness serves it (no rate limits)."""
    from app.config import Settings
    from app.main import create_app

    unlimited = 1_000_000_000
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=sqlalchemy_url(),
            redis_url=REDIS_URL,
            secret_key=SECRET_KEY,
            rate_limit_per_minute=unlimited,
            rate_limit_public_per_minute=unlimited,
            log_level="WARNING",
            demo_seed=False,
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            yield client


async def _signup_companies(sizes: list[int]) -> list[Company]:
    """Sign up each company and create a read-only API key, through the API in process."""
    companies: list[Company] = []
    async with api_client() as client:
        for index, size in enumerate(sizes):
            name = "Bench Big Co" if index == 0 else f"Bench Co {index + 1}"
            response = await client.post(
                "/v1/signup",
                json={
                    "company_name": name,
                    "name": "Bench Admin",
                    "email": f"admin-{index + 1}-{uuid.uuid4().hex[:8]}@bench.example.com",
                    "password": PASSWORD,
                },
            )
            response.raise_for_status()
            body = response.json()
            key = await client.post(
                "/v1/api-keys",
                headers={"Authorization": f"Bearer {body['token']['access_token']}"},
                json={"name": "bench", "permissions": ["customers:read"]},
            )
            key.raise_for_status()
            companies.append(Company(body["company"]["id"], name, size, key.json()["key"]))
    return companies


async def _plain_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    """(name, definition) of the customer indexes that back no constraint."""
    rows = await connection.fetch(
        """
        SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'customer'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    )
    return [(r["name"], r["definition"]) for r in rows]


async def _copy_customers(companies: list[Company], timer: Timer) -> None:
    connection = await asyncpg.connect(
        dsn(),
        server_settings={
            # The companies exist: skip the per-row FK triggers of the load.
            "session_replication_role": "replica",
            "synchronous_commit": "off",
        },
    )
    try:
        indexes = await _plain_indexes(connection)
        for name, _ in indexes:
            await connection.execute(f'DROP INDEX "{name}"')
        for index, company in enumerate(companies):
            company_id = uuid.UUID(company.id)

            async def load(
                company: Company = company,
                company_id: uuid.UUID = company_id,
                seed: int = index + 1,
            ) -> None:
                n = 0
                for batch in data.customers(company_id, company.customers, seed=seed):
                    await connection.copy_records_to_table(
                        "customer", records=batch, columns=data.COLUMNS
                    )
                    n += len(batch)
                    if n % 200_000 == 0:
                        log(f"  {company.name}: {n:,} rows")

            await timer.arun(f"copy {company.customers:,} customers ({company.name})", load)
            await connection.execute(
                "INSERT INTO counter (company_id, name, value) VALUES ($1, 'customer', $2) "
                "ON CONFLICT (company_id, name) DO UPDATE SET value = excluded.value",
                company_id,
                company.customers,
            )
    finally:
        await connection.close()
    await timer.arun("rebuild indexes", lambda: _build_indexes(indexes))


async def _build_indexes(indexes: list[tuple[str, str]]) -> None:
    """Rebuild on two connections at once (2 cores); trigram GIN indexes are the slow ones."""
    queue = sorted(indexes, key=lambda item: "gin" not in item[1])  # slow ones first

    async def worker() -> None:
        connection = await asyncpg.connect(dsn(), server_settings={"maintenance_work_mem": "512MB"})
        try:
            while queue:
                name, definition = queue.pop(0)
                started = time.perf_counter()
                await connection.execute(definition)
                log(f"  index {name}: {time.perf_counter() - started:.1f} s")
        finally:
            await connection.close()

    await asyncio.gather(worker(), worker())


async def _vacuum_analyze() -> None:
    connection = await asyncpg.connect(dsn())
    try:
        await connection.execute("VACUUM (ANALYZE) customer")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _export_window(company: Company) -> tuple[tuple[str, str], int]:
    span = data.JOINED_TO - data.JOINED_FROM
    start = data.JOINED_FROM + span * EXPORT_SLICE[0]
    end = data.JOINED_FROM + span * EXPORT_SLICE[1]
    connection = await asyncpg.connect(dsn())
    try:
        rows = await connection.fetchval(
            "SELECT count(*) FROM customer WHERE company_id = $1 "
            "AND created_at >= $2 AND created_at < $3",
            uuid.UUID(company.id),
            start,
            end,
        )
    finally:
        await connection.close()
    return (start.isoformat(), end.isoformat()), int(rows)


def seed(*, reset: bool, big: int, small: int, companies: int) -> SeedState:
    params: dict[str, Any] = {"big": big, "small": small, "companies": companies}
    if not reset:
        state = asyncio.run(read_state())
        if state is not None and state.params == params:
            log(f"reusing {DB_NAME} (seeded {state.params}; `--reset` rebuilds it)")
            migrate()  # the code may have moved on since the seed; a no-op when it has not
            _seed_orders(state)
            return state
        if asyncio.run(database_exists()):
            log(f"{DB_NAME} has no finished seed of this size: rebuilding it")
    timer = Timer()
    started = time.perf_counter()
    timer.run("create database", lambda: asyncio.run(recreate_database()))
    timer.run("alembic upgrade head", migrate)
    sizes = [big] + [small] * (companies - 1)

    async def load() -> SeedState:
        created = await timer.arun(
            f"sign up {companies} companies + API keys", lambda: _signup_companies(sizes)
        )
        await _copy_customers(created, timer)
        await timer.arun("vacuum analyze", _vacuum_analyze)
        window, rows = await _export_window(created[0])
        timer.timings["total"] = round(time.perf_counter() - started, 2)
        state = SeedState(
            companies=created,
            big=created[0].id,
            export_window=window,
            export_rows=rows,
            timings=timer.timings,
            params=params,
        )
        await write_state(state)
        return state

    state = asyncio.run(load())
    total = sum(c.customers for c in state.companies)
    log(f"done: {total:,} customers in {timer.timings['total']:.1f} s")
    _seed_orders(state)
    return state


def _seed_orders(state: SeedState) -> None:
    """The orders of the big company (bench/orders.py), once per database: they came after
    the customers, so a database seeded before them gets them when it is reused."""
    from bench import orders  # bench.orders builds on this module

    orders.seed_orders(state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--customers", type=int, default=BIG_CUSTOMERS, help="big company size")
    parser.add_argument("--small", type=int, default=SMALL_CUSTOMERS, help="other companies' size")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    args = parser.parse_args()
    seed(reset=args.reset, big=args.customers, small=args.small, companies=args.companies)


if __name__ == "__main__":
    main()
