"""The customer's account summary (seed 002): pending quotes, awaiting payment, overdue,
lifetime value, last order, balance. Money in minor units of the company's currency.

"Today" is today in the company's timezone: an invoice due today is not yet overdue.
Awaiting payment and overdue split the invoiced orders that still owe something, by due
date, the way app.order.money.is_overdue does; an invoice without a due date is awaiting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.principal import Principal
from app.company.models import Company
from app.customer.queries import derived_values
from app.customer.repository import CustomerRepository
from app.kit.clock import today_in
from app.order.models import Order
from app.order.payment.models import Payment
from app.order_status.models import OrderStatus


@dataclass(frozen=True)
class Quotes:
    count: int
    total: int


@dataclass(frozen=True)
class Tally:
    count: int
    amount: int


@dataclass(frozen=True)
class AccountSummary:
    pending_quotes: Quotes
    awaiting_payment: Tally
    overdue: Tally
    lifetime_value: int
    last_order_at: datetime | None
    balance: int
    currency: str
    as_of: date


async def account_summary(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> AccountSummary:
    """The summary of one of the company's customers (404 otherwise): one aggregate over
    its orders (with its payments as a subquery) and the shared balance query."""
    company_id = principal.company_id
    customer = await CustomerRepository(session, company_id).get_or_404(customer_id)
    currency, timezone = (
        await session.execute(
            select(Company.currency, Company.timezone).where(Company.id == company_id)
        )
    ).one()
    today = today_in(timezone)

    quote = OrderStatus.stage == "quote"
    owing = Order.invoiced_on.is_not(None) & (Order.balance_due > 0)
    overdue = owing & (Order.due_on < today)
    awaiting = owing & or_(Order.due_on.is_(None), Order.due_on >= today)
    paid_order = aliased(Order)  # not the outer query's orders: no correlation
    lifetime = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .join(
            paid_order,
            (paid_order.company_id == Payment.company_id) & (paid_order.id == Payment.order_id),
        )
        .where(
            Payment.company_id == company_id,
            paid_order.company_id == company_id,
            paid_order.customer_id == customer.id,
        )
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                func.count().filter(quote),
                func.coalesce(func.sum(Order.total).filter(quote), 0),
                func.count().filter(awaiting),
                func.coalesce(func.sum(Order.balance_due).filter(awaiting), 0),
                func.count().filter(overdue),
                func.coalesce(func.sum(Order.balance_due).filter(overdue), 0),
                func.max(Order.created_at),
                lifetime,
            )
            .select_from(Order)
            .join(
                OrderStatus,
                (OrderStatus.company_id == Order.company_id) & (OrderStatus.id == Order.status_id),
            )
            .where(Order.company_id == company_id, Order.customer_id == customer.id)
        )
    ).one()
    derived = (await derived_values(session, company_id, [customer.id]))[customer.id]
    return AccountSummary(
        pending_quotes=Quotes(int(row[0]), int(row[1])),
        awaiting_payment=Tally(int(row[2]), int(row[3])),
        overdue=Tally(int(row[4]), int(row[5])),
        last_order_at=row[6],
        lifetime_value=int(row[7]),
        balance=derived.balance,
        currency=currency,
        as_of=today,
    )
