"""Seed the companies and their customers: 10 companies, one of them with 1,000,000.

Steps, each timed: create the database, `alembic upgrade head`, sign up the companies and
create an API key for each through the app itself (in process, over ASGI), then COPY the
customers in with the plain (non-constraint) indexes of `customer` dropped, rebuild those
indexes from their own definitions, set the numbering counters, VACUUM ANALYZE. The result
is saved under the `seed` key of the bench state, and reused while its sizes are asked for.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg

from bench.harness.db import (
    BULK_LOAD,
    connect,
    database_exists,
    execute,
    fetchval,
    load_state,
    migrate,
    recreate_database,
    save_state,
)
from bench.harness.seeding import Timer, api_client, log
from bench.harness.settings import DB_NAME
from bench.seed import customer_data

BIG_CUSTOMERS = 1_000_000
SMALL_CUSTOMERS = 3_000
COMPANIES = 10
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway local database
# Export scenario: customers who joined in this slice of the big company's history (~10%).
EXPORT_SLICE = (0.45, 0.55)
STATE_KEY = "seed"


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    customers: int
    api_key: str


@dataclass(frozen=True)
class SeedState:
    """What a finished seed wrote into the benchmark database (schema `bench`)."""

    companies: list[Company]
    big: str  # id of the company with the most customers
    export_window: tuple[str, str]  # created_from, created_to giving ~100k rows of `big`
    export_rows: int
    timings: dict[str, float]
    params: dict[str, Any]

    def company(self, company_id: str) -> Company:
        return next(c for c in self.companies if c.id == company_id)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "export_window": list(self.export_window)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeedState:
        return cls(
            companies=[Company(**c) for c in data["companies"]],
            big=data["big"],
            export_window=(data["export_window"][0], data["export_window"][1]),
            export_rows=int(data["export_rows"]),
            timings={k: float(v) for k, v in data["timings"].items()},
            params=dict(data["params"]),
        )


async def read_state() -> SeedState | None:
    """The saved state of a finished seed, or None (no database, or a seed that died)."""
    found = await load_state(STATE_KEY)
    return None if found is None else SeedState.from_json(found)


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
    async with connect(**BULK_LOAD) as connection:
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
                for batch in customer_data.customers(company_id, company.customers, seed=seed):
                    await connection.copy_records_to_table(
                        "customer", records=batch, columns=customer_data.COLUMNS
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
    await timer.arun("rebuild indexes", lambda: _build_indexes(indexes))


async def _build_indexes(indexes: list[tuple[str, str]]) -> None:
    """Rebuild on two connections at once (2 cores); trigram GIN indexes are the slow ones."""
    queue = sorted(indexes, key=lambda item: "gin" not in item[1])  # slow ones first

    async def worker() -> None:
        async with connect(maintenance_work_mem="512MB") as connection:
            while queue:
                name, definition = queue.pop(0)
                started = time.perf_counter()
                await connection.execute(definition)
                log(f"  index {name}: {time.perf_counter() - started:.1f} s")

    await asyncio.gather(worker(), worker())


async def _export_window(company: Company) -> tuple[tuple[str, str], int]:
    span = customer_data.JOINED_TO - customer_data.JOINED_FROM
    start = customer_data.JOINED_FROM + span * EXPORT_SLICE[0]
    end = customer_data.JOINED_FROM + span * EXPORT_SLICE[1]
    rows = await fetchval(
        "SELECT count(*) FROM customer WHERE company_id = $1 "
        "AND created_at >= $2 AND created_at < $3",
        uuid.UUID(company.id),
        start,
        end,
    )
    return (start.isoformat(), end.isoformat()), int(rows)


def seed(*, reset: bool, big: int, small: int, companies: int) -> SeedState:
    """The companies and customers: the saved ones when a finished seed of these sizes is
    there (and `reset` is not asked), else a new database seeded now."""
    params: dict[str, Any] = {"big": big, "small": small, "companies": companies}
    if not reset:
        state = asyncio.run(read_state())
        if state is not None and state.params == params:
            log(f"reusing {DB_NAME} (seeded {state.params}; `--reset` rebuilds it)")
            migrate()  # the code may have moved on since the seed; a no-op when it has not
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
        await timer.arun("vacuum analyze", lambda: execute("VACUUM (ANALYZE) customer", "ANALYZE"))
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
        await save_state(STATE_KEY, state.to_json())
        return state

    state = asyncio.run(load())
    total = sum(c.customers for c in state.companies)
    log(f"done: {total:,} customers in {timer.timings['total']:.1f} s")
    return state
