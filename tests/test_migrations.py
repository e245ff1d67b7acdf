"""Migrations: an empty database goes to head, back to base, and up again."""

from __future__ import annotations

import asyncio
import uuid

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import _create_database, _drop_database, alembic_config


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        names = {r[0] for r in rows}
    await engine.dispose()
    return names


TRIGRAM_INDEXES = {
    "ix_customer_name_key_trgm",
    "ix_customer_search_text_trgm",
    "ix_orders_search_text_trgm",
}


async def _trigram_indexes(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")
        )
        names = {r[0] for r in rows}
    await engine.dispose()
    return names


def test_upgrade_downgrade_upgrade(server_urls: tuple[str, str]) -> None:
    name = f"trackr_migrate_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(_create_database(server_urls[0], name))
    try:
        config = alembic_config(url)
        command.upgrade(config, "head")
        at_head = asyncio.run(_tables(url))
        assert {"company", "user", "group", "api_key", "event", "idempotency_key"} <= at_head
        # pg_trgm is required (contrib), so `q` search always has its trigram indexes.
        assert asyncio.run(_trigram_indexes(url)) >= TRIGRAM_INDEXES
        command.downgrade(config, "base")
        assert asyncio.run(_tables(url)) == {"alembic_version"}
        command.upgrade(config, "head")
        assert asyncio.run(_tables(url)) == at_head
    finally:
        asyncio.run(_drop_database(server_urls[0], name))


async def _run(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        result = await connection.execute(text(sql))
        rows = [tuple(r) for r in result] if result.returns_rows else []
    await engine.dispose()
    return rows


def test_companies_from_before_orders_get_the_default_statuses(
    server_urls: tuple[str, str],
) -> None:
    """Migration 0003 gives existing companies the pipeline signup gives new ones, so every
    company has a default status for new orders."""
    name = f"trackr_migrate_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(_create_database(server_urls[0], name))
    try:
        config = alembic_config(url)
        command.upgrade(config, "0002")
        asyncio.run(
            _run(
                url,
                "INSERT INTO company (id, name, slug, currency, timezone, version) "
                "VALUES (gen_random_uuid(), 'Old Co', 'old-co', 'USD', 'UTC', 1)",
            )
        )
        command.upgrade(config, "head")
        rows = asyncio.run(
            _run(url, "SELECT name, stage, is_default FROM order_status ORDER BY position")
        )
        assert rows == [
            ("New", "quote", True),
            ("Quoted", "quote", False),
            ("Sold", "open", False),
            ("Installed", "done", False),
            ("Lost", "lost", False),
        ]
    finally:
        asyncio.run(_drop_database(server_urls[0], name))
