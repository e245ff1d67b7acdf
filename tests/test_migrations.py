"""Migrations: an empty database goes to head, back to base, and up again."""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from types import ModuleType

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import ROOT, _create_database, _drop_database, alembic_config


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


def _customers_migration() -> ModuleType:
    path = next((ROOT / "migrations" / "versions").glob("*-customers.py"))
    spec = importlib.util.spec_from_file_location("customers_migration", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAIRS = [
    ("acme plumbing", "acme plumbing inc"),
    ("John Smith", "Jon Smith"),
    ("", "abc"),
    ("o'brien & sons", "obrien sons"),
    ("Müller GmbH", "muller gmbh"),
    ("hello world", "world hello"),
    ("x-1 2", "x12"),
]


async def _similarities(url: str, *, install_fallback: bool) -> list[tuple[float, bool]]:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        if install_fallback:
            for statement in _customers_migration().TRIGRAM_FALLBACK:
                await connection.execute(text(statement))
        else:
            await connection.execute(text("CREATE EXTENSION pg_trgm"))
        found = []
        for a, b in PAIRS:
            row = (
                await connection.execute(
                    text("SELECT similarity(:a, :b), :a % :b"), {"a": a, "b": b}
                )
            ).one()
            found.append((round(row[0], 6), row[1]))
    await engine.dispose()
    return found


def test_trigram_fallback_matches_pg_trgm(server_urls: tuple[str, str]) -> None:
    """Where pg_trgm is missing (the embedded pgserver), migration 0002 defines similarity()
    and % in SQL instead; they must answer as the extension does."""
    names = [f"trackr_trgm_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    urls = [asyncio.run(_create_database(server_urls[0], n)) for n in names]
    try:
        fallback = asyncio.run(_similarities(urls[0], install_fallback=True))
        try:
            extension = asyncio.run(_similarities(urls[1], install_fallback=False))
        except DBAPIError:
            pytest.skip("this server has no pg_trgm to compare with")
        assert fallback == extension
        assert fallback[0][1] is True  # similar names do match
    finally:
        for name in names:
            asyncio.run(_drop_database(server_urls[0], name))
