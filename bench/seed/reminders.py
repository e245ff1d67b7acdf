"""The reminders laid out for the reminder scan (issue 5): 1,000,000 orders of the big
company, 1,000 of them due today.

Once per database and day (recorded under the `reminders` key of the bench state): top the
big company up to 1,000,000 orders with one set-based `INSERT ... SELECT ... FROM
generate_series` per 100,000, numbered on from the company's counter; then lay reminders
out over all of them, by order number: 1,000 due today (in the company's timezone) and not
notified, each with two assignees (the admin and a "bench crew" user); a fifth with a
reminder in the coming year; two fifths with a past reminder already notified, and a
notification each; the rest without a reminder. The notified and dateless ones are outside
the scan's partial index; the future ones are in it but outside its range.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import asyncpg
from app.kit.clock import today_in

from bench.harness.db import connect, load_state, save_state
from bench.harness.log import logger
from bench.harness.seeding import Timer
from bench.seed.company import first_admin, order_defaults, reserve_order_numbers
from bench.seed.customers import SeedState
from bench.seed.order_data import CREATED_FROM, CREATED_TO

ORDERS = 1_000_000
DUE = 1_000
STATE_KEY = "reminders"
TOP_UP_CHUNK = 100_000
CREW_EMAIL = "bench-crew@bench.example"
# By order number: a reminder due today for DUE of them (every ORDERS // DUE-th), then, of
# the others, number % 5 == 1 in the coming year and 2 or 3 in the past, already notified.
DUE_REMAINDER = 7
TITLES = ["Boiler service", "Gutter cleaning", "Panel upgrade", "Roof repair", "AC tune-up"]
log = logger("reminders")


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
    status_id, admin_id = await order_defaults(connection, company_id)
    customers = await connection.fetchval(
        "SELECT count(*) FROM customer WHERE company_id = $1", company_id
    )
    added = 0
    while added < missing:
        chunk = min(TOP_UP_CHUNK, missing - added)
        async with connection.transaction():
            last = await reserve_order_numbers(connection, company_id, chunk)
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
        added += chunk
        log(f"  {have + added:,} orders")
    return added


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
    admin_id = (await first_admin(connection, company_id))["id"]
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
    found = await load_state(STATE_KEY)
    async with connect(session_replication_role="replica") as connection:
        timezone = await connection.fetchval(
            "SELECT timezone FROM company WHERE id = $1", company_id
        )
        day = today_in(timezone)
        wanted = {"company_id": state.big, "orders": orders, "due": due, "day": day.isoformat()}
        if found is not None and {k: found[k] for k in wanted} == wanted:
            log(f"reusing {orders:,} orders with {due:,} reminders due on {day}")
            return Layout(**found)
        timer = Timer()
        added = await timer.arun("top up", lambda: _top_up(connection, company_id, orders))
        timer.timings[f"top up ({added:,} orders)"] = timer.timings.pop("top up")
        due_ids, future, notified = await timer.arun(
            "lay out reminders", lambda: _lay_out(connection, company_id, orders, due, day)
        )
        await timer.arun(
            "vacuum analyze",
            lambda: connection.execute(
                "VACUUM (ANALYZE) orders, order_assignee, notification, counter"
            ),
        )
        timings = timer.timings
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
    await save_state(STATE_KEY, asdict(layout))
    log("prepared: " + ", ".join(f"{k} {v:g} s" for k, v in timings.items()))
    return layout


def prepare(state: SeedState, *, orders: int = ORDERS, due: int = DUE) -> Layout:
    """The big company with `orders` orders and `due` reminders due today (idempotent)."""
    return asyncio.run(_prepare(state, orders, due))
