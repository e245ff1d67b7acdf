"""The orders of the benchmark's big company (issue 4), seeded once per database.

`seed_orders` is called by bench.seed on both of its paths (a fresh seed, and a database
reused as it is), and does its work only when the bench state table has no finished
`orders` entry of these sizes, so a database seeded before orders existed gets them too:

- log in as the big company's admin through the app (in process, as the companies were
  signed up) and create an API key with the order and payment permissions (and the default
  order statuses first, for a company signed up before statuses existed);
- COPY 200,000 orders numbered 1..N for random customers of the company (with their names),
  in the default status, created over 3 years; about a third have 1-3 line items whose
  totals are `app.order.money.line_total`, and the orders' subtotal and total their sum;
  then set the company's `order` counter to N, so that the API numbers on from there;
- through the API: one order with 20 line items and 5 payments (the detail scenario);
- COPY 2,000 "payable" orders, each with one line of 10^9 minor units and nothing paid, so
  that payments of 1 never overpay them (the payment-create scenario), numbered on from the
  counter under its row lock;
- VACUUM ANALYZE the order tables.

Each step is timed; the times, the key and the ids are stored under the `orders` key.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import uuid_utils
from app.order.money import line_total

from bench import data
from bench.common import STATE_SCHEMA, SeedState, dsn
from bench.seed import PASSWORD, Timer, api_client, log

ORDERS = 200_000
PAYABLE = 2_000
DETAIL_LINES = 20
DETAIL_PAYMENTS = 5
# A payable order's one line: room for 10^9 payments of 1 minor unit.
PAYABLE_AMOUNT = 1_000_000_000
PERMISSIONS = ["orders:read", "orders:write", "payments:read", "payments:write", "customers:read"]
STATE_KEY = "orders"
# History orders were created over the 3 years up to the end of the customers' history.
CREATED_TO = data.JOINED_TO
CREATED_FROM = CREATED_TO - timedelta(days=3 * 365)
LINES_SHARE = 0.35
BATCH = 20_000

ORDER_COLUMNS = (
    "id",
    "company_id",
    "created_at",
    "updated_at",
    "version",
    "number",
    "customer_id",
    "customer_name",
    "title",
    "status_id",
    "source",
    "custom_fields",
    "subtotal",
    "total",
    "amount_paid",
    "created_by",
)
LINE_COLUMNS = (
    "id",
    "company_id",
    "created_at",
    "updated_at",
    "version",
    "order_id",
    "position",
    "name",
    "quantity",
    "unit_amount",
    "line_total",
)
_JOBS = (
    "Kitchen remodel",
    "Roof repair",
    "Water heater install",
    "Lawn service",
    "Drain cleaning",
    "AC tune-up",
    "Gutter cleaning",
    "Fence repair",
    "Panel upgrade",
    "Pool opening",
    "Window replacement",
    "Deck staining",
)
_ITEMS = (
    ("Labour (hours)", (Decimal("1.5"), Decimal("2"), Decimal("3.25"), Decimal("8"))),
    ("Service call", (Decimal("1"),)),
    ("Copper pipe (ft)", (Decimal("12.5"), Decimal("30"), Decimal("0.333"))),
    ("Materials", (Decimal("1"), Decimal("2"))),
    ("Disposal fee", (Decimal("1"),)),
)


@dataclass(frozen=True)
class OrdersState:
    """What a finished orders step wrote (key `orders` of the bench state table)."""

    company_id: str
    api_key: str
    orders: int  # COPYed history orders, numbered 1..orders
    lines: int  # their line items
    detail_id: str
    payable_ids: list[str]
    timings: dict[str, float]
    params: dict[str, Any]

    def public(self) -> dict[str, Any]:
        """For the results file: everything but the key, and the payable ids counted."""
        found = {k: v for k, v in asdict(self).items() if k not in ("api_key", "payable_ids")}
        return {**found, "payable": len(self.payable_ids)}


async def read_orders_state() -> OrdersState | None:
    connection = await asyncpg.connect(dsn())
    try:
        raw = await connection.fetchval(
            f"SELECT value::text FROM {STATE_SCHEMA}.state WHERE key = $1",  # noqa: S608
            STATE_KEY,
        )
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return None
    finally:
        await connection.close()
    if raw is None:
        return None
    found = json.loads(raw)
    found["timings"] = dict(found["timings"])
    return OrdersState(**found)


async def _write_orders_state(state: OrdersState) -> None:
    connection = await asyncpg.connect(dsn())
    try:
        await connection.execute(
            f"INSERT INTO {STATE_SCHEMA}.state VALUES ($1, $2::jsonb) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            STATE_KEY,
            # Timings as [label, seconds] pairs: jsonb keeps the order of arrays, not of keys.
            json.dumps({**asdict(state), "timings": list(state.timings.items())}),
        )
    finally:
        await connection.close()


def _uuid7(at: datetime) -> uuid.UUID:
    nanos = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000
    return uuid.UUID(bytes=uuid_utils.uuid7(nanoseconds=nanos).bytes)


def _check(response: httpx.Response, expected: int) -> Any:
    if response.status_code != expected:
        request = response.request
        raise RuntimeError(
            f"{request.method} {request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return response.json()


# --- steps --------------------------------------------------------------------------------


async def _clear(company_id: uuid.UUID) -> None:
    """Remove what a previous attempt that died may have left: the company's orders (their
    lines and payments cascade) and its order counter."""
    connection = await asyncpg.connect(dsn())
    try:
        deleted = await connection.execute("DELETE FROM orders WHERE company_id = $1", company_id)
        await connection.execute(
            "DELETE FROM counter WHERE company_id = $1 AND name = 'order'", company_id
        )
    finally:
        await connection.close()
    if deleted != "DELETE 0":
        log(f"  removed the orders of an unfinished attempt ({deleted})")


async def _admin_email(company_id: uuid.UUID) -> str:
    connection = await asyncpg.connect(dsn())
    try:
        email = await connection.fetchval(
            'SELECT email FROM "user" WHERE company_id = $1 AND is_admin AND is_active '
            "ORDER BY created_at LIMIT 1",
            company_id,
        )
    finally:
        await connection.close()
    if email is None:
        raise RuntimeError(f"company {company_id} has no active admin to log in as")
    return str(email)


async def _api_key(client: httpx.AsyncClient, company_id: uuid.UUID) -> str:
    """Log in as the company's first admin (every bench admin has bench.seed.PASSWORD),
    give the company the default order statuses if it has none, create the API key."""
    email = await _admin_email(company_id)
    token = _check(
        await client.post("/v1/auth/token", json={"email": email, "password": PASSWORD}), 200
    )
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    key = await client.post(
        "/v1/api-keys", headers=headers, json={"name": "bench orders", "permissions": PERMISSIONS}
    )
    return str(_check(key, 201)["key"])


async def _facts(
    connection: asyncpg.Connection, company_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID | None]:
    status = await connection.fetchval(
        "SELECT id FROM order_status WHERE company_id = $1 AND is_default", company_id
    )
    if status is None:
        raise RuntimeError("the company has no default order status")
    admin = await connection.fetchval(
        'SELECT id FROM "user" WHERE company_id = $1 AND is_admin ORDER BY created_at LIMIT 1',
        company_id,
    )
    return status, admin


async def _copy_history(company_id: uuid.UUID, customers: int, count: int) -> tuple[int, int]:
    """COPY `count` orders numbered 1..count (and their lines) in one transaction, then set
    the company's order counter to `count`. Returns (orders, lines)."""
    rng = random.Random(4)
    connection = await asyncpg.connect(
        dsn(),
        server_settings={
            # The company, customers, statuses and orders exist: skip the FK triggers.
            "session_replication_role": "replica",
            "synchronous_commit": "off",
        },
    )
    try:
        status_id, admin_id = await _facts(connection, company_id)
        numbers = [rng.randint(1, customers) for _ in range(count)]
        rows = await connection.fetch(
            "SELECT number, id, name FROM customer WHERE company_id = $1 AND number = ANY($2)",
            company_id,
            sorted(set(numbers)),
        )
        by_number = {r["number"]: (r["id"], r["name"]) for r in rows}
        span = (CREATED_TO - CREATED_FROM) / count
        jitter = span.total_seconds() * 0.9
        lines_total = 0
        async with connection.transaction():
            for start in range(0, count, BATCH):
                orders: list[tuple[Any, ...]] = []
                lines: list[tuple[Any, ...]] = []
                for number in range(start + 1, min(start + BATCH, count) + 1):
                    created = (
                        CREATED_FROM
                        + span * (number - 1)
                        + timedelta(seconds=rng.random() * jitter)
                    )
                    order_id = _uuid7(created)
                    subtotal = 0
                    if rng.random() < LINES_SHARE:
                        for position in range(1, rng.randint(1, 3) + 1):
                            name, quantities = rng.choice(_ITEMS)
                            quantity = rng.choice(quantities)
                            unit_amount = rng.randint(5, 2_500) * 100
                            amount = line_total(quantity, unit_amount)
                            subtotal += amount
                            lines.append(
                                (
                                    _uuid7(created),
                                    company_id,
                                    created,
                                    created,
                                    1,
                                    order_id,
                                    position,
                                    name,
                                    quantity,
                                    unit_amount,
                                    amount,
                                )
                            )
                    customer_id, customer_name = by_number.get(numbers[number - 1], (None, None))
                    orders.append(
                        (
                            order_id,
                            company_id,
                            created,
                            created,
                            1,
                            number,
                            customer_id,
                            customer_name,
                            rng.choice(_JOBS),
                            status_id,
                            "staff",
                            "{}",
                            subtotal,
                            subtotal,
                            0,
                            admin_id,
                        )
                    )
                await connection.copy_records_to_table(
                    "orders", records=orders, columns=ORDER_COLUMNS
                )
                await connection.copy_records_to_table(
                    "order_line", records=lines, columns=LINE_COLUMNS
                )
                lines_total += len(lines)
                if (start + BATCH) % 100_000 == 0:
                    log(f"  {start + BATCH:,} orders")
            await connection.execute(
                "INSERT INTO counter (company_id, name, value) VALUES ($1, 'order', $2) "
                "ON CONFLICT (company_id, name) DO UPDATE SET value = excluded.value",
                company_id,
                count,
            )
    finally:
        await connection.close()
    return count, lines_total


async def _detail_order(client: httpx.AsyncClient, key: str, company_id: uuid.UUID) -> str:
    """One order with DETAIL_LINES line items and DETAIL_PAYMENTS payments, through the API."""
    headers = {"Authorization": f"Bearer {key}"}
    connection = await asyncpg.connect(dsn())
    try:
        customer_id = await connection.fetchval(
            "SELECT id FROM customer WHERE company_id = $1 AND number = 1", company_id
        )
    finally:
        await connection.close()
    order = _check(
        await client.post(
            "/v1/orders",
            headers=headers,
            json={"title": "Whole-house repipe (bench detail)", "customer_id": str(customer_id)},
        ),
        201,
    )
    base = f"/v1/orders/{order['id']}"
    rng = random.Random(20)
    for index in range(DETAIL_LINES):
        name, quantities = _ITEMS[index % len(_ITEMS)]
        body = {
            "name": f"{name} #{index + 1}",
            "unit_amount": rng.randint(5, 2_500) * 100 + rng.randint(0, 99),
            "quantity": str(rng.choice(quantities)),
        }
        _check(await client.post(f"{base}/items", headers=headers, json=body), 201)
    total = _check(await client.get(base, headers=headers), 200)["total"]
    for index in range(DETAIL_PAYMENTS):
        body = {"amount": max(total // 10, 1), "method": "cash", "reference": f"#{index + 1}"}
        _check(await client.post(f"{base}/payments", headers=headers, json=body), 201)
    detail = _check(await client.get(base, headers=headers), 200)
    lines, payments = len(detail["lines"]), len(detail["payments"] or [])
    if (lines, payments) != (DETAIL_LINES, DETAIL_PAYMENTS):
        raise RuntimeError(f"detail order: {lines} lines and {payments} payments")
    return str(order["id"])


async def _copy_payable(company_id: uuid.UUID, count: int) -> list[str]:
    """COPY `count` orders with one line of PAYABLE_AMOUNT each and nothing paid, numbered on
    from the company's counter (under its row lock, as the API allocates)."""
    connection = await asyncpg.connect(dsn(), server_settings={"synchronous_commit": "off"})
    ids: list[str] = []
    try:
        status_id, admin_id = await _facts(connection, company_id)
        customers = await connection.fetch(
            "SELECT id, name FROM customer WHERE company_id = $1 ORDER BY number LIMIT $2",
            company_id,
            count,
        )
        async with connection.transaction():
            last = await connection.fetchval(
                "SELECT value FROM counter WHERE company_id = $1 AND name = 'order' FOR UPDATE",
                company_id,
            )
            now = datetime.now(UTC)
            orders: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            for index in range(count):
                created = now + timedelta(microseconds=index)
                order_id = _uuid7(created)
                customer = customers[index % len(customers)]
                ids.append(str(order_id))
                orders.append(
                    (
                        order_id,
                        company_id,
                        created,
                        created,
                        1,
                        last + index + 1,
                        customer["id"],
                        customer["name"],
                        f"Bench payable order {index + 1}",
                        status_id,
                        "api",
                        "{}",
                        PAYABLE_AMOUNT,
                        PAYABLE_AMOUNT,
                        0,
                        admin_id,
                    )
                )
                quantity = Decimal("1.000")
                lines.append(
                    (
                        _uuid7(created),
                        company_id,
                        created,
                        created,
                        1,
                        order_id,
                        1,
                        "Prepaid service plan",
                        quantity,
                        PAYABLE_AMOUNT,
                        line_total(quantity, PAYABLE_AMOUNT),
                    )
                )
            await connection.copy_records_to_table("orders", records=orders, columns=ORDER_COLUMNS)
            await connection.copy_records_to_table(
                "order_line", records=lines, columns=LINE_COLUMNS
            )
            await connection.execute(
                "UPDATE counter SET value = $2 WHERE company_id = $1 AND name = 'order'",
                company_id,
                last + count,
            )
    finally:
        await connection.close()
    return ids


async def _vacuum_analyze() -> None:
    connection = await asyncpg.connect(dsn())
    try:
        await connection.execute("VACUUM (ANALYZE) orders, order_line, payment, counter")
    finally:
        await connection.close()


# --- the step -----------------------------------------------------------------------------


async def _seed(state: SeedState, params: dict[str, Any]) -> OrdersState:
    company = state.company(state.big)
    company_id = uuid.UUID(company.id)
    timer = Timer()
    started = time.perf_counter()
    await timer.arun("orders: clear leftovers", lambda: _clear(company_id))
    async with api_client() as client:
        key = await timer.arun(
            "orders: log in as admin + API key", lambda: _api_key(client, company_id)
        )
        count, lines = await timer.arun(
            f"orders: copy {params['orders']:,} orders",
            lambda: _copy_history(company_id, company.customers, params["orders"]),
        )
        log(f"  {lines:,} line items")
        detail_id = await timer.arun(
            f"orders: detail order ({DETAIL_LINES} items, {DETAIL_PAYMENTS} payments) via API",
            lambda: _detail_order(client, key, company_id),
        )
    payable_ids = await timer.arun(
        f"orders: copy {params['payable']:,} payable orders",
        lambda: _copy_payable(company_id, params["payable"]),
    )
    await timer.arun("orders: vacuum analyze", _vacuum_analyze)
    timer.timings["orders total"] = round(time.perf_counter() - started, 2)
    found = OrdersState(
        company_id=company.id,
        api_key=key,
        orders=count,
        lines=lines,
        detail_id=detail_id,
        payable_ids=payable_ids,
        timings=timer.timings,
        params=params,
    )
    await _write_orders_state(found)
    return found


def seed_orders(state: SeedState, *, orders: int = ORDERS, payable: int = PAYABLE) -> OrdersState:
    """The big company's orders: the saved ones when a finished step of these sizes is
    recorded for this company, else seeded now."""
    params: dict[str, Any] = {"orders": orders, "payable": payable}
    found = asyncio.run(read_orders_state())
    if found is not None and found.params == params and found.company_id == state.big:
        log(f"orders: reusing {found.orders:,} orders + {len(found.payable_ids):,} payable")
        return found
    found = asyncio.run(_seed(state, params))
    log(f"orders: done in {found.timings['orders total']:.1f} s")
    return found
