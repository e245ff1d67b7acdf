"""What the seed and the harness share: where the servers are, and the seed's saved state.

Environment (all optional):
    BENCH_PG_URL     PostgreSQL server, without a database: postgresql://postgres@127.0.0.1:5432
    BENCH_DB         the benchmark's own database, dropped and recreated by `seed --reset`
    BENCH_REDIS_URL  Redis for the API's rate limiter
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB", "trackr_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# Signs cursors; fixed so that a cursor saved by one run is valid in the next.
SECRET_KEY = "trackr-bench-secret-key-not-for-production-0123456789"  # noqa: S105

STATE_SCHEMA = "bench"


def dsn(database: str = DB_NAME) -> str:
    """A plain libpq URL (for asyncpg) of `database` on the benchmark's server."""
    return f"{PG_URL}/{database}"


def sqlalchemy_url(database: str = DB_NAME) -> str:
    """The same database as the app spells it (DATABASE_URL)."""
    scheme, rest = PG_URL.split("://", 1)
    del scheme
    return f"postgresql+asyncpg://{rest}/{database}"


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
        return {
            "companies": [c.__dict__ for c in self.companies],
            "big": self.big,
            "export_window": list(self.export_window),
            "export_rows": self.export_rows,
            "timings": self.timings,
            "params": self.params,
        }

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


async def database_exists(name: str = DB_NAME) -> bool:
    connection = await asyncpg.connect(dsn("postgres"))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


async def read_state() -> SeedState | None:
    """The saved state of a finished seed, or None (no database, or a seed that died)."""
    if not await database_exists():
        return None
    connection = await asyncpg.connect(dsn())
    try:
        raw = await connection.fetchval(
            f"SELECT value::text FROM {STATE_SCHEMA}.state WHERE key = 'seed'"  # noqa: S608
        )
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return None
    finally:
        await connection.close()
    return None if raw is None else SeedState.from_json(json.loads(raw))


async def write_state(state: SeedState) -> None:
    connection = await asyncpg.connect(dsn())
    try:
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {STATE_SCHEMA}")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_SCHEMA}.state (key text PRIMARY KEY, value jsonb)"
        )
        await connection.execute(
            f"INSERT INTO {STATE_SCHEMA}.state VALUES ('seed', $1::jsonb) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            json.dumps(state.to_json()),
        )
    finally:
        await connection.close()
