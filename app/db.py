"""Engine and session factory. One AsyncSession per request; the route layer commits it once."""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.config import Settings


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    database_url = url or settings.database_url
    if not database_url:
        raise RuntimeError("DATABASE_URL is not set (`make run` starts an embedded database)")
    return create_async_engine(
        database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=False,
        # JSON columns (custom fields, a page's tags) are decoded by pydantic-core: the
        # stdlib's json.loads was a tenth of the customer list's time (bench/ profile).
        json_deserializer=from_json,
        connect_args={
            # asyncpg prepares every statement; a generic plan over tenant + trigram indexes
            # is ~20x slower than a custom one (shared/PERFORMANCE.md), so never use one.
            "server_settings": {
                "plan_cache_mode": "force_custom_plan",
                # JIT compiles expensive plans (a 100k-row export) for up to a second
                # before running them; our queries are index-driven and never gain it back.
                "jit": "off",
                "timezone": "UTC",
            },
        },
    )


def create_session_factory(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """`info` is copied into each session's `info` (the API puts its Redis there, for the
    auth versions a committed access change bumps: app/auth/versions.py)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


def create_read_session_factory(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions for safe methods (GET, HEAD): autocommit, so a read costs no BEGIN and
    COMMIT round trips. Each statement sees its own snapshot; reads that need one snapshot
    across statements, or a server-side cursor, open a regular session."""
    return create_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"), info)


async def check_connection_budget(engine: AsyncEngine, settings: Settings) -> None:
    """Raise ConnectionBudgetExceeded (app.config) when the deployment's pools together can
    open more connections than the server's max_connections; called at start-up."""
    async with engine.connect() as connection:
        max_connections = int(await connection.scalar(text("SHOW max_connections")) or 0)
    settings.check_connection_budget(max_connections)
