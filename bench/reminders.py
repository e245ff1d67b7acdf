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
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from app.kit.clock import today_in, zone
from app.notification import service as notifications
from app.notification.repository import order_batch
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from workers.reminders import BATCH_SIZE, scan

from bench.common import RESULTS_DIR, STATE_SCHEMA, SeedState, dsn, read_state, sqlalchemy_url
from bench.orders import CREATED_FROM, CREATED_TO

ORDERS = 1_000_000
DUE = 1_000
RUNS = 5
STATE_KEY = "reminders"
TOP_UP_CHUNK = 100_000
CREW_EMAIL = "bench-crew@bench.example"
# By order number: a reminder due today for DUE of them (every ORDERS // DUE-th), then, of
# the others, number % 5 == 1 in the coming year and 2 or 3 in the past, already notified.
DUE_REMAINDER = 7
TITLES = ["Boiler service", "Gutter cleaning", "Panel upgrade", "Roof repair", "AC tune-up"]


def log(message: str) -> None:
    print(f"reminders: {message}", flush=True)


@dataclass(frozen=True)
class Layout:
    """What `prepare` left: whose reminders are due, on which day."""

    company_id: str
    orders: int
    due: int
    day: str  # today in the company's timezone when laid out
    timezone: str
    due_ids: list[str]
    future: int
    notified: int
    timings: dict[str, float] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "due_ids"}


# --- prepare ------------------------------------------------------------------------------


async def _read_layout(connection: asyncpg.Connection) -> Layout | None:
    raw = await connection.fetchval(
        f"SELECT value::text FROM {STATE_SCHEMA}.state WHERE key = $1",  # noqa: S608
        STATE_KEY,
    )
    return None if raw is None else Layout(**json.loads(raw))


async def _write_layout(connection: asyncpg.Connection, layout: Layout) -> None:
    await connection.execute(
        f"INSERT INTO {STATE_SCHEMA}.state VALUES ($1, $2::jsonb) "  # noqa: S608
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        STATE_KEY,
        json.dumps(asdict(layout)),
    )


# A UUIDv7 for a row created at `created` (as app.kit.models.new_id would have made then).
_UUID7 = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING "
    "substring(int8send((extract(epoch FROM {at}) * 1000)::bigint) FROM 3) FROM 1 FOR 6), "
    "52, 1), 53, 1), 'hex')::uuid"
)

TOP_UP = f"""
INSERT INTO orders (id, company_id, created_at, updated_at, version, number, customer_id,
                    customer_name, title, status_id, source, custom_fields, subtotal, total,
                    amount_paid, created_by)
SELECT {_UUID7.format(at="t.created")}, $1, t.created, t.created, 1, g, c.id, c.name,
       ($8::text[])[(1 + g % cardinality($8::text[]))::int], $5, 'staff', '{{}}', 0, 0, 0, $6
FROM generate_series($2::bigint, $3::bigint) AS g
CROSS JOIN LATERAL (
    SELECT $7::timestamptz + (g - $2) * (($9::timestamptz - $7::timestamptz) / ($3 - $2 + 1))
        AS created
) AS t
LEFT JOIN customer AS c ON c.company_id = $1 AND c.number = 1 + (g * 7919) % $4
"""  # noqa: S608 - no value is interpolated, only the id expression


async def _top_up(connection: asyncpg.Connection, company_id: uuid.UUID, target: int) -> int:
    """Add orders until the company has `target`, numbered on from its counter (locked, as
    the API allocates). Returns how many were added."""
    have = await connection.fetchval(
        "SELECT count(*) FROM orders WHERE company_id = $1", company_id
    )
    missing = target - have
    if missing <= 0:
        return 0
    status_id = await connection.fetchval(
        "SELECT id FROM order_status WHERE company_id = $1 AND is_default", company_id
    )
    admin_id = await _admin_id(connection, company_id)
    customers = await connection.fetchval(
        "SELECT count(*) FROM customer WHERE company_id = $1", company_id
    )
    added = 0
    while added < missing:
        chunk = min(TOP_UP_CHUNK, missing - added)
        async with connection.transaction():
            last = await connection.fetchval(
                "SELECT value FROM counter WHERE company_id = $1 AND name = 'order' FOR UPDATE",
                company_id,
            )
            await connection.execute(
                TOP_UP,
                company_id,
                last + 1,
                last + chunk,
                customers,
                status_id,
                admin_id,
                CREATED_FROM,
                TITLES,
                CREATED_TO,
            )
            await connection.execute(
                "UPDATE counter SET value = $2 WHERE company_id = $1 AND name = 'order'",
                company_id,
                last + chunk,
            )
        added += chunk
        log(f"  {have + added:,} orders")
    return added


async def _admin_id(connection: asyncpg.Connection, company_id: uuid.UUID) -> uuid.UUID:
    found: uuid.UUID = await connection.fetchval(
        'SELECT id FROM "user" WHERE company_id = $1 AND is_admin AND is_active '
        "ORDER BY created_at LIMIT 1",
        company_id,
    )
    return found


async def _crew_id(connection: asyncpg.Connection, company_id: uuid.UUID) -> uuid.UUID:
    """A second user to assign (it never logs in: a placeholder password hash)."""
    found = await connection.fetchval(
        'SELECT id FROM "user" WHERE email = $1 AND company_id = $2', CREW_EMAIL, company_id
    )
    if found is None:
        found = await connection.fetchval(
            'INSERT INTO "user" (id, company_id, email, name, password_hash, is_admin, '
            "is_active, version) VALUES (gen_random_uuid(), $1, $2, 'Bench Crew', '!', false, "
            "true, 1) RETURNING id",
            company_id,
            CREW_EMAIL,
        )
    crew: uuid.UUID = found
    return crew


LAY_OUT = """
UPDATE orders SET
    reminder_on = CASE
        WHEN number % $2 = $3 AND number <= $2 * $4 THEN $5::date
        WHEN number % 5 = 1 THEN $5::date + 1 + (number % 365)::int
        WHEN number % 5 IN (2, 3) THEN $5::date - 1 - (number % 1000)::int
    END,
    reminder_notified_on = CASE
        WHEN number % $2 = $3 AND number <= $2 * $4 THEN NULL
        WHEN number % 5 IN (2, 3) THEN $5::date - 1 - (number % 1000)::int
    END
WHERE company_id = $1
"""

PAST_NOTIFICATIONS = f"""
INSERT INTO notification (id, company_id, user_id, kind, order_id, due_on, message, created_at)
SELECT {_UUID7.format(at="o.reminder_on::timestamptz")}, o.company_id, $2, 'order_reminder',
       o.id, o.reminder_on, 'Order #' || o.number || ': ' || o.title, o.reminder_on
FROM orders AS o
WHERE o.company_id = $1 AND o.reminder_notified_on IS NOT NULL
ON CONFLICT DO NOTHING
"""  # noqa: S608 - no value is interpolated, only the id expression


async def _lay_out(
    connection: asyncpg.Connection, company_id: uuid.UUID, orders: int, due: int, day: date
) -> tuple[list[str], int, int]:
    """Reminder dates over all the company's orders (see the module docstring), the due
    ones' assignees, and the past ones' notifications. Returns (due ids, future, notified)."""
    step = orders // due
    admin_id = await _admin_id(connection, company_id)
    crew_id = await _crew_id(connection, company_id)
    async with connection.transaction():
        await connection.execute(
            "DELETE FROM notification WHERE company_id = $1 AND order_id IS NOT NULL", company_id
        )
        await connection.execute("DELETE FROM order_assignee WHERE company_id = $1", company_id)
        await connection.execute(LAY_OUT, company_id, step, DUE_REMAINDER, due, day)
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE company_id = $1 AND reminder_on = $2 "
            "AND reminder_notified_on IS NULL",
            company_id,
            day,
        )
        due_ids = [r["id"] for r in rows]
        if len(due_ids) != due:
            raise RuntimeError(f"{len(due_ids)} orders due instead of {due}")
        await connection.execute(
            "INSERT INTO order_assignee (company_id, order_id, user_id, role, created_at) "
            "SELECT $1, o, u, 'installer', now() FROM unnest($2::uuid[]) AS o, "
            "unnest($3::uuid[]) AS u",
            company_id,
            due_ids,
            [admin_id, crew_id],
        )
        await connection.execute(PAST_NOTIFICATIONS, company_id, admin_id)
        future = await connection.fetchval(
            "SELECT count(*) FROM orders WHERE company_id = $1 AND reminder_on > $2",
            company_id,
            day,
        )
        notified = await connection.fetchval(
            "SELECT count(*) FROM orders WHERE company_id = $1 "
            "AND reminder_notified_on IS NOT NULL",
            company_id,
        )
    return [str(i) for i in due_ids], int(future), int(notified)


async def _prepare(state: SeedState, orders: int, due: int) -> Layout:
    company_id = uuid.UUID(state.big)
    connection = await asyncpg.connect(
        dsn(), server_settings={"session_replication_role": "replica"}
    )
    try:
        timezone = await connection.fetchval(
            "SELECT timezone FROM company WHERE id = $1", company_id
        )
        day = today_in(timezone)
        found = await _read_layout(connection)
        wanted = {"company_id": state.big, "orders": orders, "due": due, "day": day.isoformat()}
        if found is not None and {k: getattr(found, k) for k in wanted} == wanted:
            log(f"reusing {orders:,} orders with {due:,} reminders due on {day}")
            return found
        timings: dict[str, float] = {}
        started = time.perf_counter()
        added = await _top_up(connection, company_id, orders)
        timings[f"top up ({added:,} orders)"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        due_ids, future, notified = await _lay_out(connection, company_id, orders, due, day)
        timings["lay out reminders"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE) orders, order_assignee, notification, counter")
        timings["vacuum analyze"] = round(time.perf_counter() - started, 2)
        layout = Layout(
            company_id=state.big,
            orders=orders,
            due=due,
            day=day.isoformat(),
            timezone=timezone,
            due_ids=due_ids,
            future=future,
            notified=notified,
            timings=timings,
        )
        await _write_layout(connection, layout)
        log("prepared: " + ", ".join(f"{k} {v:g} s" for k, v in timings.items()))
        return layout
    finally:
        await connection.close()


def prepare(state: SeedState, *, orders: int = ORDERS, due: int = DUE) -> Layout:
    """The big company with `orders` orders and `due` reminders due today (idempotent)."""
    return asyncio.run(_prepare(state, orders, due))


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
