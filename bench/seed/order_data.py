"""The big company's orders as COPY rows: a history of orders numbered 1..N, some with line
items, and "payable" orders that payments of 1 never overpay."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.order.money import line_total

from bench.harness.db import BULK_LOAD, connect
from bench.harness.seeding import BASE_COLUMNS, base_values, log, uuid7
from bench.seed.company import order_defaults, reserve_order_numbers
from bench.seed.customer_data import JOINED_TO

# A payable order's one line: room for 10^9 payments of 1 minor unit.
PAYABLE_AMOUNT = 1_000_000_000
# History orders were created over the 3 years up to the end of the customers' history.
CREATED_TO = JOINED_TO
CREATED_FROM = CREATED_TO - timedelta(days=3 * 365)
LINES_SHARE = 0.35
BATCH = 20_000

ORDER_COLUMNS = (
    *BASE_COLUMNS,
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
    *BASE_COLUMNS,
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
ITEMS = (
    ("Labour (hours)", (Decimal("1.5"), Decimal("2"), Decimal("3.25"), Decimal("8"))),
    ("Service call", (Decimal("1"),)),
    ("Copper pipe (ft)", (Decimal("12.5"), Decimal("30"), Decimal("0.333"))),
    ("Materials", (Decimal("1"), Decimal("2"))),
    ("Disposal fee", (Decimal("1"),)),
)


def _order(
    order_id: uuid.UUID,
    company_id: uuid.UUID,
    created: datetime,
    *,
    number: int,
    customer: tuple[Any, Any],
    title: str,
    status_id: uuid.UUID,
    source: str,
    total: int,
    created_by: uuid.UUID,
) -> tuple[Any, ...]:
    """ORDER_COLUMNS of an unpaid order whose `total` is its lines' sum."""
    customer_id, customer_name = customer
    return (
        *base_values(order_id, company_id, created),
        number,
        customer_id,
        customer_name,
        title,
        status_id,
        source,
        "{}",
        total,
        total,
        0,
        created_by,
    )


def _line(
    order_id: uuid.UUID,
    company_id: uuid.UUID,
    created: datetime,
    position: int,
    name: str,
    quantity: Decimal,
    unit_amount: int,
) -> tuple[Any, ...]:
    """LINE_COLUMNS of a line item; its total is the last."""
    return (
        *base_values(uuid7(created), company_id, created),
        order_id,
        position,
        name,
        quantity,
        unit_amount,
        line_total(quantity, unit_amount),
    )


async def copy_history(company_id: uuid.UUID, customers: int, count: int) -> tuple[int, int]:
    """COPY `count` orders numbered 1..count (and their lines) in one transaction, then set
    the company's order counter to `count`. Returns (orders, lines)."""
    rng = random.Random(4)
    # The company, customers, statuses and orders exist: skip the FK triggers.
    async with connect(**BULK_LOAD) as connection:
        status_id, admin_id = await order_defaults(connection, company_id)
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
                    order_id = uuid7(created)
                    subtotal = 0
                    if rng.random() < LINES_SHARE:
                        for position in range(1, rng.randint(1, 3) + 1):
                            name, quantities = rng.choice(ITEMS)
                            quantity = rng.choice(quantities)
                            unit_amount = rng.randint(5, 2_500) * 100
                            line = _line(
                                order_id, company_id, created, position, name, quantity, unit_amount
                            )
                            subtotal += line[-1]
                            lines.append(line)
                    customer = by_number.get(numbers[number - 1], (None, None))
                    orders.append(
                        _order(
                            order_id,
                            company_id,
                            created,
                            number=number,
                            customer=customer,
                            title=rng.choice(_JOBS),
                            status_id=status_id,
                            source="staff",
                            total=subtotal,
                            created_by=admin_id,
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
    return count, lines_total


async def copy_payable(company_id: uuid.UUID, count: int) -> list[str]:
    """COPY `count` orders with one line of PAYABLE_AMOUNT each and nothing paid, numbered on
    from the company's counter (under its row lock, as the API allocates)."""
    ids: list[str] = []
    async with connect(synchronous_commit="off") as connection:
        status_id, admin_id = await order_defaults(connection, company_id)
        customers = await connection.fetch(
            "SELECT id, name FROM customer WHERE company_id = $1 ORDER BY number LIMIT $2",
            company_id,
            count,
        )
        async with connection.transaction():
            last = await reserve_order_numbers(connection, company_id, count)
            now = datetime.now(UTC)
            orders: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            for index in range(count):
                created = now + timedelta(microseconds=index)
                order_id = uuid7(created)
                customer = customers[index % len(customers)]
                ids.append(str(order_id))
                orders.append(
                    _order(
                        order_id,
                        company_id,
                        created,
                        number=last + index + 1,
                        customer=(customer["id"], customer["name"]),
                        title=f"Bench payable order {index + 1}",
                        status_id=status_id,
                        source="api",
                        total=PAYABLE_AMOUNT,
                        created_by=admin_id,
                    )
                )
                lines.append(
                    _line(
                        order_id,
                        company_id,
                        created,
                        1,
                        "Prepaid service plan",
                        Decimal("1.000"),
                        PAYABLE_AMOUNT,
                    )
                )
            await connection.copy_records_to_table("orders", records=orders, columns=ORDER_COLUMNS)
            await connection.copy_records_to_table(
                "order_line", records=lines, columns=LINE_COLUMNS
            )
    return ids
