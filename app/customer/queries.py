"""What is derived about customers, computed in one place: balance, is_lead, name keys.

- `balance` = the balance due of the customer's invoiced orders, minus its unapplied
  credits. An order owes nothing until it is invoiced (a quote or open job is not a debt).
- `is_lead` = the customer has no orders at all.

`derived_values` aggregates a page of customers in one grouped query, `account_columns`
gives the same figures as columns of a per-customer LATERAL aggregate for streamed queries
(the CSV export), and `is_lead_clause` is the list filter: none of them costs a query per
customer. Each probes the orders index (company_id, customer_id).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Subquery,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.models import Customer
from app.order.models import Order

_PUNCTUATION = re.compile(r"[^\w\s]+")


def name_key(name: str) -> str:
    """The name as duplicate detection compares it: case, spacing and punctuation ignored."""
    return " ".join(_PUNCTUATION.sub("", name.casefold()).split())


@dataclass(frozen=True)
class Derived:
    balance: int = 0
    is_lead: bool = True


def _invoiced_balance() -> ColumnElement[int]:
    """Aggregate over a customer's orders: what its invoiced orders still owe."""
    return func.coalesce(
        func.sum(Order.balance_due).filter(Order.invoiced_on.is_not(None)), 0
    ).cast(BigInteger)


def _unapplied_credits() -> ColumnElement[int]:
    """Credits not yet applied to an invoice reduce what the customer owes. There are no
    credits yet, so this is zero. When they come it becomes a correlated sum over the
    customer's unapplied credits, and `derived_values` selects from `customer` (a customer
    with credits may have no orders) instead of from `orders` alone."""
    return literal(0, BigInteger)


def _balance() -> ColumnElement[int]:
    return _invoiced_balance() - _unapplied_credits()


def is_lead_clause() -> ColumnElement[bool]:
    """WHERE-clause form of `is_lead` for list filters: no order names the customer."""
    return ~exists().where(
        Order.company_id == Customer.company_id, Order.customer_id == Customer.id
    )


async def derived_values(
    session: AsyncSession, company_id: uuid.UUID, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Derived]:
    """Balance and lead status of many customers, in at most one query (none for no ids)."""
    if not customer_ids:
        return {}
    rows = await session.execute(
        select(Order.customer_id, _balance())
        .where(Order.company_id == company_id, Order.customer_id.in_(customer_ids))
        .group_by(Order.customer_id)
    )
    # A row means orders, so not a lead; no row means a lead that owes nothing.
    found = {customer_id: Derived(int(balance), is_lead=False) for customer_id, balance in rows}
    return {customer_id: found.get(customer_id, Derived()) for customer_id in customer_ids}


def account_columns() -> tuple[FromClause, ColumnElement[int], ColumnElement[bool]]:
    """`balance` and `is_lead` of each `Customer` row of a query, as a LATERAL aggregate to
    join (`.join(account, true())`) and its two columns: one index probe per row, inside
    the one statement, for queries streamed from a cursor."""
    account = (
        select(
            _balance().label("balance"),
            (func.count() == 0).label("is_lead"),
        )
        .where(Order.company_id == Customer.company_id, Order.customer_id == Customer.id)
        .lateral("account")
    )
    columns: Any = account.c
    return account, columns.balance, columns.is_lead


def account_by_customer(company_id: uuid.UUID) -> Subquery:
    """`balance` and `is_lead` of every customer of the company that has orders, as one
    grouped subquery (customer_id, balance) to LEFT JOIN: a customer without a row is a
    lead that owes nothing. For statements over many of the company's customers (the CSV
    export): one pass over the company's orders and a hash join beat an index probe per
    customer from about a thousand customers on, and cost one aggregate over its orders
    below that."""
    return (
        select(Order.customer_id, _balance().label("balance"))
        .where(Order.company_id == company_id, Order.customer_id.is_not(None))
        .group_by(Order.customer_id)
        .subquery("account")
    )
