"""The reminder scan at scale (issue 5): 1,000,000 orders of the big company, 1,000 due.

    python -m bench.reminders              # prepare if needed, then time the scan
    python -m bench.reminders --runs 7 --no-save

`make bench` runs it too (scenario key `reminder_scan`). Steps:

- prepare (once per database and day; recorded under the `reminders` key of the bench
  state): top the big company up to 1,000,000 orders with one set-based
  `INSERT ... SELECT ... FROM generate_series` per 100,000, numbered on from the company's
  counter; then lay reminders out over all of them, by order number: 1,000 due today (in the
  company's timezone) and not notified, each with two assignees (the admin and a "bench
  crew" user); a fifth with a reminder in the coming year; two fifths with a past reminder
  already notified, and a notification each; the rest without a reminder. The notified and
  dateless ones are outside the scan's partial index; the future ones are in it but outside
  its range.
- measure: `workers.reminders.scan` (the cron job's core) against the bench database, after
  one warm-up, `--runs` times: before each, the 1,000 are made pending again (their
  notifications deleted) and the tables vacuumed, outside the timing; each run must notify
  exactly 1,000 orders and 2,000 users. Then an idle scan (nothing due), and
  EXPLAIN (ANALYZE, BUFFERS) of one batch statement (rolled back), which shows the partial
  index `ix_orders_reminder_pending` at work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from app.kit.clock import zone
from app.notification import service as notifications
from app.notification.repository import order_batch
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from workers.reminders import BATCH_SIZE, scan

from bench.harness.settings import RESULTS_DIR, dsn, sqlalchemy_url
from bench.seed.customers import read_state
from bench.seed.reminders import DUE, ORDERS, Layout, log, prepare

RUNS = 5


# --- measure ------------------------------------------------------------------------------


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

    def markdown(self) -> str:
        layout = self.layout
        mb = {k: v / 1e6 for k, v in self.sizes.items()}
        return "\n".join(
            [
                f"**Reminder scan, {layout.orders / 1e6:g}M orders, {layout.due:,} due: "
                f"{self.median_ms:,.0f} ms** (median of {len(self.runs_ms)}: "
                + ", ".join(f"{ms:,.0f}" for ms in self.runs_ms)
                + f" ms), notifying {layout.due:,} orders' {2 * layout.due:,} assignees in "
                f"batches of {self.batch_size}; the same scan with nothing due: "
                f"{self.idle_median_ms:,.1f} ms. `workers.reminders.scan` on the bench "
                f"database; of the big company's {layout.orders:,} orders, "
                f"{layout.future:,} have a reminder in the coming year and {layout.notified:,} "
                f"a past one already notified. The partial index `ix_orders_reminder_pending` "
                f"is {mb['pending_index']:.1f} MB, the orders table {mb['orders']:,.0f} MB.",
                "",
                "One batch, `EXPLAIN (ANALYZE, BUFFERS)` (rolled back):",
                "",
                "```",
                self.explain,
                "```",
                "",
            ]
        )


async def _reset(company_id: uuid.UUID, layout: Layout) -> None:
    """Make the due reminders pending again, as on the morning of their day."""
    connection = await asyncpg.connect(dsn())
    try:
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
    finally:
        await connection.close()


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
        driver: asyncpg.Connection = raw.driver_connection
        transaction = driver.transaction()
        await transaction.start()
        try:
            rows = await driver.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", *params)
        finally:
            await transaction.rollback()
    return "\n".join(r[0] for r in rows)


async def _sizes() -> dict[str, int]:
    connection = await asyncpg.connect(dsn())
    try:
        row = await connection.fetchrow(
            "SELECT pg_relation_size('ix_orders_reminder_pending') AS pending_index, "
            "pg_relation_size('orders') AS orders, "
            "pg_relation_size('ix_orders_company_id_reminder_on') AS reminder_index"
        )
    finally:
        await connection.close()
    return dict(row)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--due", type=int, default=DUE)
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()
    state = asyncio.run(read_state())
    if state is None:
        raise SystemExit("no seeded bench database: run `python -m bench.seed` first")
    layout = prepare(state, orders=args.orders, due=args.due)
    found = measure(layout, runs=args.runs)
    report = found.markdown()
    print()
    print(report)
    if not args.no_save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
        (RESULTS_DIR / f"{stamp}-reminders.md").write_text(
            f"# Reminder scan benchmark, {stamp}\n\n{report}"
        )
        (RESULTS_DIR / f"{stamp}-reminders.json").write_text(
            json.dumps(found.as_json(), indent=2) + "\n"
        )
        log(f"wrote bench/results/{stamp}-reminders.md and .json")


if __name__ == "__main__":
    main()
