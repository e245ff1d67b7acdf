"""Migrations: an empty database goes to head, back to base, and up again."""

from __future__ import annotations

import asyncio
import uuid

import pytest
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


def test_schedule_backfills_assignments_and_keeps_earlier_double_bookings(
    server_urls: tuple[str, str],
) -> None:
    """Migration 0008 copies each appointment's time range onto its assignments and marks
    an overlap booked before the rule as allowed (the later one), so the exclusion
    constraint can be built over what remains; a new overlap is then refused."""
    name = f"trackr_migrate_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(_create_database(server_urls[0], name))
    first, second, third = (uuid.UUID(int=n) for n in (1, 2, 3))
    try:
        config = alembic_config(url)
        command.upgrade(config, "0007")
        statements = [
            "INSERT INTO company (id, name, slug, currency, timezone, version) "
            "VALUES ('00000000-0000-0000-0000-0000000000c0', 'Old Co', 'old-co', 'USD', "
            "'UTC', 1)",
            'INSERT INTO "user" (id, company_id, email, name, password_hash, is_admin, '
            "is_active, version) VALUES ('00000000-0000-0000-0000-0000000000a0', "
            "'00000000-0000-0000-0000-0000000000c0', 'a@example.com', 'A', 'x', true, true, 1)",
            "INSERT INTO order_status (id, company_id, name, color, position, stage, "
            "counts_as_sold, is_default, version) VALUES "
            "('00000000-0000-0000-0000-0000000000b0', '00000000-0000-0000-0000-0000000000c0', "
            "'New', '#000000', 0, 'quote', false, true, 1)",
            "INSERT INTO orders (id, company_id, number, title, status_id, source, "
            "custom_fields, subtotal, total, amount_paid, version) VALUES "
            "('00000000-0000-0000-0000-0000000000d0', '00000000-0000-0000-0000-0000000000c0', "
            "1, 'Old', '00000000-0000-0000-0000-0000000000b0', 'staff', '{}', 0, 0, 0, 1)",
            # The second overlaps the first; the third starts as the second ends.
            "INSERT INTO appointment (id, company_id, order_id, kind, starts_at, "
            "duration_minutes, version) "
            "SELECT v.id::uuid, '00000000-0000-0000-0000-0000000000c0', "
            "'00000000-0000-0000-0000-0000000000d0', 'appointment', v.starts::timestamptz, "
            "60, 1 FROM (VALUES "
            "('00000000-0000-0000-0000-000000000001', '2026-12-01T09:00Z'), "
            "('00000000-0000-0000-0000-000000000002', '2026-12-01T09:30Z'), "
            "('00000000-0000-0000-0000-000000000003', '2026-12-01T10:30Z')) AS v (id, starts)",
            "INSERT INTO appointment_user (company_id, appointment_id, user_id) "
            "SELECT company_id, id, '00000000-0000-0000-0000-0000000000a0' FROM appointment",
        ]
        for sql in statements:
            asyncio.run(_run(url, sql))
        command.upgrade(config, "head")
        rows = asyncio.run(
            _run(
                url,
                "SELECT appointment_id, to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI'), "
                "to_char(ends_at AT TIME ZONE 'UTC', 'HH24:MI'), overlap_allowed "
                "FROM appointment_user ORDER BY appointment_id",
            )
        )
        assert rows == [
            (first, "09:00", "10:00", False),
            (second, "09:30", "10:30", True),
            (third, "10:30", "11:30", False),
        ]
        with pytest.raises(Exception, match="ex_appointment_user_no_overlap"):
            asyncio.run(
                _run(
                    url,
                    "UPDATE appointment_user SET starts_at = '2026-12-01T09:59Z' "
                    "WHERE appointment_id = '00000000-0000-0000-0000-000000000003'",
                )
            )
    finally:
        asyncio.run(_drop_database(server_urls[0], name))


def test_groups_and_keys_reading_customers_keep_seeing_office_notes(
    server_urls: tuple[str, str],
) -> None:
    """Migration 0011 grants `customers:office` to every group and API key holding
    `customers:read`: office notes, which they saw before the permission existed, stay
    visible to them; the others gain nothing."""
    name = f"trackr_migrate_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(_create_database(server_urls[0], name))
    try:
        config = alembic_config(url)
        command.upgrade(config, "0008")
        statements = [
            "INSERT INTO company (id, name, slug, currency, timezone, version) "
            "VALUES ('00000000-0000-0000-0000-0000000000c0', 'Old Co', 'old-co', 'USD', 'UTC', 1)",
            'INSERT INTO "user" (id, company_id, email, name, password_hash, is_admin, '
            "is_active, version) VALUES ('00000000-0000-0000-0000-0000000000a0', "
            "'00000000-0000-0000-0000-0000000000c0', 'a@example.com', 'A', 'x', true, true, 1)",
            'INSERT INTO "group" (id, company_id, name, permissions, version) VALUES '
            "('00000000-0000-0000-0000-000000000001', "
            "'00000000-0000-0000-0000-0000000000c0', 'Office', "
            "'{customers:read,customers:write}', 1), "
            "('00000000-0000-0000-0000-000000000002', "
            "'00000000-0000-0000-0000-0000000000c0', 'Billing', "
            "'{payments:read}', 1)",
            "INSERT INTO api_key (id, company_id, name, prefix, secret_hash, permissions, "
            "created_by_id, version) VALUES ('00000000-0000-0000-0000-000000000003', "
            "'00000000-0000-0000-0000-0000000000c0', 'Zapier', 'trk_old', 'x', '{customers:read}', "
            "'00000000-0000-0000-0000-0000000000a0', 1)",
        ]
        for sql in statements:
            asyncio.run(_run(url, sql))
        command.upgrade(config, "head")
        rows = asyncio.run(
            _run(
                url,
                'SELECT name, permissions FROM "group" UNION ALL '
                "SELECT name, permissions FROM api_key ORDER BY 1",
            )
        )
        assert rows == [
            ("Billing", ["payments:read"]),
            ("Office", ["customers:read", "customers:write", "customers:office"]),
            ("Zapier", ["customers:read", "customers:office"]),
        ]
    finally:
        asyncio.run(_drop_database(server_urls[0], name))
