"""The warranty part of the reminder scan at scale (issue 12): 200,000 equipment rows of one
company, 1,000 of them due, in a database of its own (created, migrated and dropped here).

    python -m bench.warranty_scan --server postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Of the rows, 99,000 have a reminder day in the coming ten years (pending, so in the partial
index ix_equipment_warranty_pending), 100,000 were notified in the past ten years (not in
it), and 1,000 are due today, each to notify the company's 2 admins. Each run makes the
1,000 pending again outside the timing and times `workers.reminders.scan`; then an idle scan
and EXPLAIN (ANALYZE, BUFFERS) of one batch statement, rolled back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from alembic import command
from alembic.config import Config
from app.notification import service as notifications
from app.notification.repository import warranty_batch
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from workers.reminders import scan

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
DUE = 1_000
SEED = (
    "INSERT INTO company (id, name, slug, currency, timezone, version)"
    " VALUES (:company, 'Bench', 'bench-equipment', 'USD', 'UTC', 1)",
    'INSERT INTO "user" (id, company_id, email, name, password_hash, is_admin, is_active, version)'
    " SELECT gen_random_uuid(), :company, 'admin' || n || '@bench.example', 'Admin', 'x',"
    " true, true, 1 FROM generate_series(1, 2) n",
    "INSERT INTO customer (id, company_id, number, name, name_key, status, custom_fields,"
    " is_default, version) VALUES (:customer, :company, 1, 'Bench', 'bench', 'active', '{}',"
    " false, 1)",
    # Pending, reminded over the coming ten years.
    "INSERT INTO equipment (id, company_id, customer_id, type, custom_fields, version,"
    " warranty_expires_on, warranty_remind_on) SELECT gen_random_uuid(), :company, :customer,"
    " 'Furnace', '{}', 1, day + 30, day FROM (SELECT date '2031-06-16' + (n % 3650) AS day"
    " FROM generate_series(1, 99000) n) s",
    # Notified in the past ten years.
    "INSERT INTO equipment (id, company_id, customer_id, type, custom_fields, version,"
    " warranty_expires_on, warranty_remind_on, warranty_notified_for) SELECT"
    " gen_random_uuid(), :company, :customer, 'Boiler', '{}', 1, day + 30, day, day + 30"
    " FROM (SELECT date '2021-06-15' + (n % 3650) AS day FROM generate_series(1, 100000) n) s",
    # Due today.
    "INSERT INTO equipment (id, company_id, customer_id, type, custom_fields, version,"
    " warranty_expires_on, warranty_remind_on) SELECT gen_random_uuid(), :company, :customer,"
    " 'Heat pump', '{}', 1, date '2031-07-15', date '2031-06-15' FROM generate_series(1, 1000)",
)
REARM = (
    "DELETE FROM notification",
    "UPDATE equipment SET warranty_notified_for = NULL WHERE type = 'Heat pump'",
    "VACUUM ANALYZE equipment",
)


async def _admin(server: str, sql: str) -> None:
    engine = create_async_engine(make_url(server), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(sql))
    await engine.dispose()


async def _measure(url: str, runs: int) -> None:
    engine = create_async_engine(url)
    ids = {"company": uuid.uuid4(), "customer": uuid.uuid4()}
    async with engine.begin() as connection:
        for statement in SEED:
            await connection.execute(text(statement), ids)
    raw = await asyncpg.connect(url.replace("+asyncpg", ""))
    sessions = async_sessionmaker(engine)
    times = []
    for _ in range(runs):
        for statement in REARM:
            await raw.execute(statement)
        started = time.perf_counter()
        counts = await scan(sessions, now=NOW)
        times.append((time.perf_counter() - started) * 1000)
        assert (counts["warranty_expiries"], counts["notifications"]) == (DUE, 2 * DUE), counts
    started = time.perf_counter()
    await scan(sessions, now=NOW)
    idle = (time.perf_counter() - started) * 1000
    table = await raw.fetchval("SELECT pg_size_pretty(pg_relation_size('equipment'))")
    index = await raw.fetchval(
        "SELECT pg_size_pretty(pg_relation_size('ix_equipment_warranty_pending'))"
    )
    for statement in REARM:
        await raw.execute(statement)
    compiled = warranty_batch(notifications.local_dates(NOW), 500).compile(dialect=engine.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    transaction = raw.transaction()
    await transaction.start()
    try:
        plan = await raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *params)
    finally:
        await transaction.rollback()
    await raw.close()
    await engine.dispose()
    print(
        f"Warranty scan, 200,000 equipment, {DUE:,} due: median {statistics.median(times):.0f}"
        f" ms ({', '.join(f'{t:.0f}' for t in times)}); idle scan {idle:.0f} ms"
    )
    print(f"equipment table {table}, pending index {index}")
    print("\n".join(row[0] for row in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.server:
        raise SystemExit("--server (or DATABASE_URL): a PostgreSQL server to make a database on")
    name = f"bench_warranty_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(args.server, f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        config = Config("alembic.ini")
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        command.upgrade(config, "head")
        asyncio.run(_measure(url, args.runs))
    finally:
        asyncio.run(_admin(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
