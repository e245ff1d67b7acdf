"""The reminder scan at scale (issue 5): `workers.reminders.scan`, the cron job's core,
over the big company's 1,000,000 orders with 1,000 reminders due (bench/seed/reminders.py).

After one warm-up, `runs` times: before each, the 1,000 are made pending again (their
notifications deleted) and the tables vacuumed, outside the timing; each run must notify
exactly 1,000 orders and 2,000 users. Then an idle scan (nothing due), and
EXPLAIN (ANALYZE, BUFFERS) of one batch statement (rolled back), which shows the partial
index `ix_orders_reminder_pending` at work.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from app.kit.clock import zone
from app.notification import service as notifications
from app.notification.repository import order_batch
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from workers.reminders import BATCH_SIZE, scan

from bench.harness.db import connect
from bench.harness.log import logger
from bench.harness.settings import sqlalchemy_url
from bench.seed.reminders import Layout

KEYS = ("reminder_scan",)  # not a wrk scenario: timed here, in process
RUNS = 5
log = logger("reminders")


@dataclass
class ScanBench:
    layout: Layout
    batch_size: int
    runs_ms: list[float]
    idle_ms: list[float]
    explain: str
    sizes: dict[str, int]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def idle_median_ms(self) -> float:
        return statistics.median(self.idle_ms)

    def as_json(self) -> dict[str, Any]:
        return {
            "layout": self.layout.public(),
            "batch_size": self.batch_size,
            "median_ms": round(self.median_ms, 1),
            "runs_ms": self.runs_ms,
            "idle_median_ms": round(self.idle_median_ms, 1),
            "idle_runs_ms": self.idle_ms,
            "sizes": self.sizes,
            "explain": self.explain,
        }


async def _reset(company_id: uuid.UUID, layout: Layout) -> None:
    """Make the due reminders pending again, as on the morning of their day."""
    async with connect() as connection:
        ids = [uuid.UUID(i) for i in layout.due_ids]
        await connection.execute(
            "DELETE FROM notification WHERE company_id = $1 AND order_id = ANY($2::uuid[])"
            " AND due_on = $3",
            company_id,
            ids,
            date.fromisoformat(layout.day),
        )
        await connection.execute(
            "UPDATE orders SET reminder_notified_on = NULL WHERE company_id = $1 "
            "AND id = ANY($2::uuid[])",
            company_id,
            ids,
        )
        await connection.execute("VACUUM orders, notification")


async def _timed_scan(engine: AsyncEngine, now: datetime) -> tuple[float, dict[str, int]]:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    started = time.perf_counter()
    counts = await scan(sessions, now=now)
    return (time.perf_counter() - started) * 1000, counts


async def _explain(engine: AsyncEngine, now: datetime) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one batch statement, in a transaction rolled back."""
    statement = order_batch(notifications.local_dates(now), BATCH_SIZE)
    compiled = statement.compile(dialect=engine.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, asyncpg.Connection)
        transaction = driver.transaction()
        await transaction.start()
        try:
            rows = await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *params)
        finally:
            await transaction.rollback()
    return "\n".join(r[0] for r in rows)


async def _sizes() -> dict[str, int]:
    async with connect() as connection:
        row = await connection.fetchrow(
            "SELECT pg_relation_size('ix_orders_reminder_pending') AS pending_index, "
            "pg_relation_size('orders') AS orders, "
            "pg_relation_size('ix_orders_company_id_reminder_on') AS reminder_index"
        )
    assert row is not None
    return {name: int(size) for name, size in row.items()}


async def _measure(layout: Layout, runs: int) -> ScanBench:
    company_id = uuid.UUID(layout.company_id)
    engine = create_async_engine(
        sqlalchemy_url(),
        connect_args={"server_settings": {"plan_cache_mode": "force_custom_plan", "jit": "off"}},
    )
    # The reminders' day, at noon in the company's timezone.
    noon = datetime.min.time().replace(hour=12)
    now = datetime.combine(date.fromisoformat(layout.day), noon, zone(layout.timezone))
    try:
        await _timed_scan(engine, now)  # whatever else was due, and the warm-up
        runs_ms: list[float] = []
        for run in range(runs + 1):
            await _reset(company_id, layout)
            elapsed, counts = await _timed_scan(engine, now)
            expected = (layout.due, 2 * layout.due)
            if (counts["order_reminders"], counts["notifications"]) != expected:
                raise RuntimeError(f"scan notified {counts}, expected {expected}")
            if run > 0:  # the first is a warm-up of the reset path
                runs_ms.append(round(elapsed, 1))
                log(f"  run {run}: {elapsed:,.0f} ms")
        idle_ms = [round((await _timed_scan(engine, now))[0], 2) for _ in range(runs)]
        await _reset(company_id, layout)
        explain = await _explain(engine, now)
        await _timed_scan(engine, now)  # leave it notified, as after a real day's scan
    finally:
        await engine.dispose()
    return ScanBench(layout, BATCH_SIZE, runs_ms, idle_ms, explain, await _sizes())


def measure(layout: Layout, *, runs: int = RUNS) -> ScanBench:
    """Time the scan `runs` times over the prepared layout (see the module docstring)."""
    found = asyncio.run(_measure(layout, runs))
    log(f"median {found.median_ms:,.0f} ms; idle {found.idle_median_ms:,.1f} ms")
    return found
