"""The schedule benchmark's company (issue 12): one company, signed up through the API, with
a crew of users and 100,000 appointments, written by `generate_series` in a few statements.

- USERS crew members (plain rows: they never sign in), ORDERS orders numbered 1..N (the
  company's `order` counter moved on to N), APPOINTMENTS appointments over SPAN_DAYS, one
  every few minutes, each of one order (4 per order) and one crew member, so that no member
  is ever double-booked (the exclusion constraint holds without `overlap_allowed`);
- UUIDv7 ids made from each row's time, as the app makes them;
- VACUUM ANALYZE of the tables the list reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from bench.harness.db import BULK_LOAD, connect, execute
from bench.harness.seeding import check
from bench.seed.company import order_defaults

APPOINTMENTS = 100_000
APPOINTMENTS_PER_ORDER = 4
USERS = 20
SPAN_DAYS = 730
START = datetime(2025, 1, 1, 7, tzinfo=UTC)
PASSWORD = "bench-schedule-password"  # noqa: S105 - a throwaway company on a local database
PERMISSIONS = ["orders:read"]

# A UUIDv7 of the time `ts` (milliseconds in the first 48 bits, version 7), as
# app.kit.models.new_id would have made it then.
UUID7 = """encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
    substring(int8send((extract(epoch FROM {ts}) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')::uuid"""

USERS_SQL = f"""
INSERT INTO "user" (id, company_id, created_at, updated_at, version, email, name,
                    password_hash, is_admin, is_active)
SELECT {UUID7.format(ts="$2::timestamptz")}, $1, $2, $2, 1,
       'crew-' || n || '-' || $3 || '@bench.example', 'Crew member ' || n, '!', false, true
FROM generate_series(1, $4) AS n
"""  # noqa: S608 - our own constant

ORDERS_SQL = f"""
INSERT INTO orders (id, company_id, created_at, updated_at, version, number, customer_name,
                    title, status_id, source, custom_fields, subtotal, total, amount_paid,
                    created_by)
SELECT {UUID7.format(ts="t")}, $1, t, t, 1, n, 'Customer ' || (n % 2000), 'Job ' || n,
       $2, 'staff', '{{}}'::jsonb, 0, 0, 0, $3
FROM generate_series(1, $4) AS n,
     LATERAL (SELECT $5::timestamptz + (n - 1) * $6::interval AS t) AS at
"""  # noqa: S608 - our own constant

# Appointment n starts STEP * n after START; its order is the n-th group of
# APPOINTMENTS_PER_ORDER (orders numbered in time order); its crew member n mod USERS.
APPOINTMENTS_SQL = f"""
INSERT INTO appointment (id, company_id, created_at, updated_at, version, order_id, kind,
                         starts_at, duration_minutes, notes, location_id)
SELECT {UUID7.format(ts="s - interval '7 days'")}, $1, s - interval '7 days',
       s - interval '7 days', 1, o.id,
       (ARRAY['appointment', 'service_call', 'installation'])[1 + n % 3], s,
       60 + 30 * (n % 3), CASE WHEN n % 5 = 0 THEN 'Call ahead: gate code ' || n END, NULL
FROM generate_series(0, $2 - 1) AS n
CROSS JOIN LATERAL (SELECT $3::timestamptz + n * $4::interval AS s) AS at
JOIN orders AS o ON o.company_id = $1 AND o.number = 1 + n / $5
"""  # noqa: S608 - our own constant

CREW_SQL = """
INSERT INTO appointment_user (company_id, appointment_id, user_id, starts_at, ends_at)
SELECT a.company_id, a.id, crew.ids[1 + (row_number() OVER (ORDER BY a.starts_at) - 1) % $2],
       a.starts_at, a.starts_at + make_interval(mins => a.duration_minutes)
FROM appointment AS a,
     (SELECT array_agg(id ORDER BY email) AS ids FROM "user"
      WHERE company_id = $1 AND NOT is_admin) AS crew
WHERE a.company_id = $1
"""


@dataclass(frozen=True)
class ScheduleCompany:
    company_id: str
    api_key: str
    user_ids: list[str]
    appointments: int
    first: datetime
    last: datetime


async def signup(client: httpx.AsyncClient) -> tuple[str, str]:
    """A company through the API, and an API key of its admin that reads orders."""
    tag = uuid.uuid4().hex[:8]
    body = {
        "company_name": "Bench Field Services",
        "name": "Bench Admin",
        "email": f"admin-{tag}@bench.example",
        "password": PASSWORD,
    }
    found = check(await client.post("/v1/signup", json=body), 201)
    headers = {"Authorization": f"Bearer {found['token']['access_token']}"}
    key = await client.post(
        "/v1/api-keys", headers=headers, json={"name": "bench schedule", "permissions": PERMISSIONS}
    )
    return str(found["company"]["id"]), str(check(key, 201)["key"])


async def seed(client: httpx.AsyncClient, database: str, appointments: int) -> ScheduleCompany:
    """The company, its crew, its orders and `appointments` appointments."""
    company, key = await signup(client)
    company_id = uuid.UUID(company)
    step = timedelta(days=SPAN_DAYS) / appointments
    orders = -(-appointments // APPOINTMENTS_PER_ORDER)
    async with connect(database, **BULK_LOAD) as connection, connection.transaction():
        status_id, admin_id = await order_defaults(connection, company_id)
        await connection.execute(USERS_SQL, company_id, START, company[:8], USERS)
        await connection.execute(
            ORDERS_SQL, company_id, status_id, admin_id, orders, START - timedelta(days=30), step
        )
        await connection.execute(
            "INSERT INTO counter (company_id, name, value) VALUES ($1, 'order', $2) "
            "ON CONFLICT (company_id, name) DO UPDATE SET value = excluded.value",
            company_id,
            orders,
        )
        await connection.execute(
            APPOINTMENTS_SQL, company_id, appointments, START, step, APPOINTMENTS_PER_ORDER
        )
        await connection.execute(CREW_SQL, company_id, USERS)
        user_ids = await connection.fetch(
            'SELECT id FROM "user" WHERE company_id = $1 AND NOT is_admin ORDER BY email',
            company_id,
        )
        span = await connection.fetchrow(
            "SELECT min(starts_at), max(starts_at) FROM appointment WHERE company_id = $1",
            company_id,
        )
        assert span is not None  # an aggregate always answers a row
        first, last = span
    await execute(
        'VACUUM (ANALYZE) "user", orders, appointment, appointment_user', database=database
    )
    return ScheduleCompany(
        company, key, [str(r["id"]) for r in user_ids], appointments, first, last
    )
