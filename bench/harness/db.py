"""The benchmark's PostgreSQL: connections, its databases, and the state that seed steps
and runs leave in it (table `bench.state`, one JSON value a key) to be reused next time."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from alembic import command
from alembic.config import Config

from bench.harness.settings import DB_NAME, ROOT, STATE_SCHEMA, dsn, sqlalchemy_url

# For COPY into tables whose parents exist: no per-row foreign-key triggers, no fsync wait.
BULK_LOAD = {"session_replication_role": "replica", "synchronous_commit": "off"}


@contextlib.asynccontextmanager
async def connect(
    database: str = DB_NAME, **server_settings: str
) -> AsyncIterator[asyncpg.Connection]:
    """A connection to `database`, closed when the block ends."""
    connection = await asyncpg.connect(dsn(database), server_settings=server_settings or None)
    try:
        yield connection
    finally:
        await connection.close()


async def fetchval(query: str, *args: Any, database: str = DB_NAME) -> Any:
    """The first value of `query`'s first row, on a connection of its own."""
    async with connect(database) as connection:
        return await connection.fetchval(query, *args)


async def execute(*statements: str, database: str = DB_NAME) -> None:
    """`statements` in turn on one connection (VACUUM, which no transaction may hold)."""
    async with connect(database) as connection:
        for statement in statements:
            await connection.execute(statement)


async def database_exists(name: str = DB_NAME) -> bool:
    found = await fetchval(
        "SELECT 1 FROM pg_database WHERE datname = $1", name, database="postgres"
    )
    return bool(found)


async def recreate_database(name: str = DB_NAME) -> None:
    await execute(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
        database="postgres",
    )


def migrate(name: str = DB_NAME) -> None:
    """`alembic upgrade head` on `name`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(name).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


async def load_state(key: str) -> Any:
    """The JSON value saved under `key`, or None (no database, no state table, no key)."""
    if not await database_exists():
        return None
    async with connect() as connection:
        try:
            raw = await connection.fetchval(
                f"SELECT value::text FROM {STATE_SCHEMA}.state WHERE key = $1",  # noqa: S608
                key,
            )
        except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
            return None
    return None if raw is None else json.loads(raw)


async def save_state(key: str, value: Any) -> None:
    """Save `value` (JSON) under `key`, replacing what was there."""
    async with connect() as connection:
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {STATE_SCHEMA}")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_SCHEMA}.state (key text PRIMARY KEY, value jsonb)"
        )
        await connection.execute(
            f"INSERT INTO {STATE_SCHEMA}.state VALUES ($1, $2::jsonb) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            json.dumps(value),
        )
