"""The orders of the benchmark's big company (issue 4), seeded once per database.

`seed_orders` runs after the customers' seed on both of its paths (a fresh seed, and a
database reused as it is), and does its work only when the bench state has no finished
`orders` entry of these sizes, so a database seeded before orders existed gets them too:

- log in as the big company's admin through the app (in process, as the companies were
  signed up) and create an API key with the order and payment permissions;
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
import random
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from bench.harness.db import connect, execute, fetchval, load_state, save_state
from bench.harness.seeding import Timer, api_client, check, log
from bench.seed import order_data
from bench.seed.company import first_admin
from bench.seed.customers import PASSWORD, SeedState

ORDERS = 200_000
PAYABLE = 2_000
DETAIL_LINES = 20
DETAIL_PAYMENTS = 5
PERMISSIONS = ["orders:read", "orders:write", "payments:read", "payments:write", "customers:read"]
STATE_KEY = "orders"


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
    found = await load_state(STATE_KEY)
    if found is None:
        return None
    found["timings"] = dict(found["timings"])
    return OrdersState(**found)


async def _write_orders_state(state: OrdersState) -> None:
    # Timings as [label, seconds] pairs: jsonb keeps the order of arrays, not of keys.
    await save_state(STATE_KEY, {**asdict(state), "timings": list(state.timings.items())})


async def _clear(company_id: uuid.UUID) -> None:
    """Remove what a previous attempt that died may have left: the company's orders (their
    lines and payments cascade) and its order counter."""
    async with connect() as connection:
        deleted = await connection.execute("DELETE FROM orders WHERE company_id = $1", company_id)
        await connection.execute(
            "DELETE FROM counter WHERE company_id = $1 AND name = 'order'", company_id
        )
    if deleted != "DELETE 0":
        log(f"  removed the orders of an unfinished attempt ({deleted})")


async def _api_key(client: httpx.AsyncClient, company_id: uuid.UUID) -> str:
    """Log in as the company's first admin (every bench admin has the seed's PASSWORD) and
    create the API key."""
    async with connect() as connection:
        email = (await first_admin(connection, company_id))["email"]
    token = check(
        await client.post("/v1/auth/token", json={"email": email, "password": PASSWORD}), 200
    )
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    key = await client.post(
        "/v1/api-keys", headers=headers, json={"name": "bench orders", "permissions": PERMISSIONS}
    )
    return str(check(key, 201)["key"])


async def _detail_order(client: httpx.AsyncClient, key: str, company_id: uuid.UUID) -> str:
    """One order with DETAIL_LINES line items and DETAIL_PAYMENTS payments, through the API."""
    headers = {"Authorization": f"Bearer {key}"}
    customer_id = await fetchval(
        "SELECT id FROM customer WHERE company_id = $1 AND number = 1", company_id
    )
    order = check(
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
        name, quantities = order_data.ITEMS[index % len(order_data.ITEMS)]
        body = {
            "name": f"{name} #{index + 1}",
            "unit_amount": rng.randint(5, 2_500) * 100 + rng.randint(0, 99),
            "quantity": str(rng.choice(quantities)),
        }
        check(await client.post(f"{base}/items", headers=headers, json=body), 201)
    total = check(await client.get(base, headers=headers), 200)["total"]
    for index in range(DETAIL_PAYMENTS):
        body = {"amount": max(total // 10, 1), "method": "cash", "reference": f"#{index + 1}"}
        check(await client.post(f"{base}/payments", headers=headers, json=body), 201)
    detail = check(await client.get(base, headers=headers), 200)
    lines, payments = len(detail["lines"]), len(detail["payments"] or [])
    if (lines, payments) != (DETAIL_LINES, DETAIL_PAYMENTS):
        raise RuntimeError(f"detail order: {lines} lines and {payments} payments")
    return str(order["id"])


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
            lambda: order_data.copy_history(company_id, company.customers, params["orders"]),
        )
        log(f"  {lines:,} line items")
        detail_id = await timer.arun(
            f"orders: detail order ({DETAIL_LINES} items, {DETAIL_PAYMENTS} payments) via API",
            lambda: _detail_order(client, key, company_id),
        )
    payable_ids = await timer.arun(
        f"orders: copy {params['payable']:,} payable orders",
        lambda: order_data.copy_payable(company_id, params["payable"]),
    )
    await timer.arun(
        "orders: vacuum analyze",
        lambda: execute("VACUUM (ANALYZE) orders, order_line, payment, counter"),
    )
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
