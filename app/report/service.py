"""Reports (seed 000's sales statistics, seed 003's receivables): a constant number of
aggregate queries each, in the company's timezone and currency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import FieldError, ValidationFailed
from app.kit.clock import day_bounds, today_in
from app.report.repository import AGE_BUCKETS, ReportRepository

MAX_PERIOD_DAYS = 366
# A day's bounds in any timezone stay representable as instants.
EARLIEST = date(1, 1, 2)
LATEST = date(9999, 12, 30)
_RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class SalesRow:
    user_id: uuid.UUID
    name: str
    orders: int
    sold_orders: int
    sold_amount: int
    payments_collected: int

    @property
    def sold_ratio(self) -> str | None:
        if not self.orders:
            return None
        ratio = Decimal(self.sold_orders) / Decimal(self.orders)
        return str(ratio.quantize(_RATIO_PLACES, rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class SalesReport:
    from_: date
    to: date
    currency: str
    data: list[SalesRow]


@dataclass(frozen=True)
class Bucket:
    count: int
    amount: int


@dataclass(frozen=True)
class Receivables:
    as_of: date
    currency: str
    buckets: dict[str, Bucket]
    total: Bucket


def _check_period(first: date, last: date) -> None:
    errors = [
        FieldError(name, f"must be between {EARLIEST} and {LATEST}", "query")
        for name, day in (("from", first), ("to", last))
        if not EARLIEST <= day <= LATEST
    ]
    if not errors and last < first:
        errors.append(FieldError("to", "must be on or after `from`", "query"))
    if not errors and (last - first).days >= MAX_PERIOD_DAYS:
        errors.append(FieldError("to", f"the period spans at most {MAX_PERIOD_DAYS} days", "query"))
    if errors:
        raise ValidationFailed(errors)


async def sales(
    session: AsyncSession,
    principal: Principal,
    *,
    first: date,
    last: date,
    user_id: uuid.UUID | None,
) -> SalesReport:
    """Per user associated with orders created first..last (days in the company's timezone,
    inclusive): orders, sold orders, sold amount, and payments dated in the period on any of
    the user's orders. 422 naming `to` for a reversed period or one over 366 days. One
    query for the figures besides reading the company's settings."""
    _check_period(first, last)
    repository = ReportRepository(session, principal.company_id)
    currency, timezone = await repository.currency_and_timezone()
    start, end = day_bounds(first, last, timezone)
    rows = await repository.sales_by_user(
        created_from=start, created_before=end, paid_from=first, paid_to=last, user_id=user_id
    )
    return SalesReport(
        from_=first,
        to=last,
        currency=currency,
        data=[
            SalesRow(
                user_id=row.user_id,
                name=row.name,
                orders=int(row.orders),
                sold_orders=int(row.sold_orders),
                sold_amount=int(row.sold_amount),
                payments_collected=int(row.payments_collected),
            )
            for row in rows
        ],
    )


async def receivables(session: AsyncSession, principal: Principal) -> Receivables:
    """What invoiced orders still owe, by days past due as of today in the company's
    timezone: current (not yet due, due today, or no due date), 1-30, 31-60, 61-90, over 90."""
    repository = ReportRepository(session, principal.company_id)
    currency, timezone = await repository.currency_and_timezone()
    today = today_in(timezone)
    row = (await repository.receivables(today))._mapping
    return Receivables(
        as_of=today,
        currency=currency,
        buckets={
            name: Bucket(int(row[f"{name}_count"]), int(row[f"{name}_amount"]))
            for name, _, _ in AGE_BUCKETS
        },
        total=Bucket(int(row["total_count"]), int(row["total_amount"])),
    )
