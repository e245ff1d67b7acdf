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


def test_upgrade_downgrade_upgrade(server_urls: tuple[str, str]) -> None:
    name = f"trackr_migrate_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(_create_database(server_urls[0], name))
    try:
        config = alembic_config(url)
        command.upgrade(config, "head")
        at_head = asyncio.run(_tables(url))
        assert {"company", "user", "group", "api_key", "event", "idempotency_key"} <= at_head
        command.downgrade(config, "base")
        assert asyncio.run(_tables(url)) == {"alembic_version"}
        command.upgrade(config, "head")
        assert asyncio.run(_tables(url)) == at_head
    finally:
        asyncio.run(_drop_database(server_urls[0], name))
