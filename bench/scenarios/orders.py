"""The order list, an order's detail and payment create (issue 4), on the big company's
seeded orders (bench/seed/orders.py), with its order-and-payment API key."""

from __future__ import annotations

import uuid
from pathlib import Path

from bench.harness.db import fetchval
from bench.harness.rounds import Scenario
from bench.seed.orders import DETAIL_LINES, DETAIL_PAYMENTS, OrdersState

KEYS = ("orders_first_page", "order_detail", "payment_create")
ORDER_LIST = "/v1/orders?limit=50"
PAYMENT_BODY = '{"amount":1,"method":"cash"}'


def scenarios(orders: OrdersState, log_dir: Path) -> list[Scenario]:
    """The order scenarios, in the order they run; payment create's paths file is written
    to `log_dir`."""
    # Payments spread over the payable orders, so that requests do not all queue on one
    # order's row lock (each payment locks its order).
    payment_paths = log_dir / "payment-create.txt"
    payment_paths.write_text("".join(f"/v1/orders/{i}/payments\n" for i in orders.payable_ids))
    return [
        Scenario(
            "orders_first_page",
            "Orders: first page of 50, sort=-number",
            "api",
            ORDER_LIST,
            orders.api_key,
            note=f"GET, the newest 50 of {orders.orders + len(orders.payable_ids) + 1:,}",
        ),
        Scenario(
            "order_detail",
            f"Order detail, {DETAIL_LINES} lines + {DETAIL_PAYMENTS} payments",
            "api",
            f"/v1/orders/{orders.detail_id}",
            orders.api_key,
            note="GET, one order with its lines, payments and assignees",
        ),
        Scenario(
            "payment_create",
            "Payment create (amount 1, cash)",
            "api",
            "/v1/orders/{id}/payments",
            orders.api_key,
            payment_paths,
            note=f"POST {PAYMENT_BODY}, 201; {len(orders.payable_ids):,} orders in turn",
            method="POST",
            body=PAYMENT_BODY,
        ),
    ]


async def payment_count(company_id: str) -> int:
    """Payments of the company: the payment-create scenario adds to them."""
    count = await fetchval(
        "SELECT count(*) FROM payment WHERE company_id = $1", uuid.UUID(company_id)
    )
    return int(count)
