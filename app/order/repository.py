from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, any_, bindparam, exists, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import operators

from app.company.models import Company
from app.kit.pagination import Sort
from app.kit.repository import LIKE_ESCAPE, TenantRepository, company_param
from app.kit.statements import Prepared
from app.order.assignee.models import OrderAssignee
from app.order.models import Order
from app.order_status.models import OrderStatus

SORTS = {
    "number": Sort("number", Order.number, Order.id),
    "-number": Sort("-number", Order.number, Order.id, descending=True),
    "created_at": Sort("created_at", Order.created_at, Order.id),
    "-created_at": Sort("-created_at", Order.created_at, Order.id, descending=True),
    "title": Sort("title", Order.title, Order.id),
    "-title": Sort("-title", Order.title, Order.id, descending=True),
}
# The order's own columns a read shows (app.order.schemas.OrderRead and its invoice).
ROW_COLUMNS = (
    "id",
    "number",
    "title",
    "description",
    "customer_id",
    "customer_name",
    "location_id",
    "contact_id",
    "source",
    "referral",
    "review_state",
    "reminder_on",
    "scheduled_on",
    "custom_fields",
    "subtotal",
    "total",
    "amount_paid",
    "balance_due",
    "invoiced_on",
    "due_on",
    "created_by",
    "created_at",
    "updated_at",
)
# Its status, as `status_<column>` of each row.
STATUS_COLUMNS = ("id", "name", "color", "stage", "counts_as_sold")


@dataclass(frozen=True)
class ListShape:
    """What varies between order list statements besides values (see the customer list's):
    the sort, a cursor or not, and which filters are set."""

    sort: str  # a key of SORTS
    after: bool = False
    q: bool = False
    q_number: bool = False  # the term is also an order number
    status_ids: bool = False
    stage: bool = False
    customer: bool = False
    assignee: bool = False
    source: bool = False
    review_state: bool = False
    created_from: bool = False
    created_to: bool = False
    reminder_from: bool = False
    reminder_to: bool = False
    has_balance: bool | None = None
    overdue: bool | None = None


def _rows() -> Select[Any]:
    """The company's orders with their status and the company's currency and timezone
    (uncorrelated subqueries: PostgreSQL reads the company once per statement)."""
    company = Company.__table__.c
    return (
        select(
            *(getattr(Order, name) for name in ROW_COLUMNS),
            *(getattr(OrderStatus, name).label(f"status_{name}") for name in STATUS_COLUMNS),
            select(company.currency)
            .where(company.id == company_param())
            .scalar_subquery()
            .label("company_currency"),
            select(company.timezone)
            .where(company.id == company_param())
            .scalar_subquery()
            .label("company_timezone"),
        )
        .join_from(
            Order,
            OrderStatus,
            (OrderStatus.company_id == Order.company_id) & (OrderStatus.id == Order.status_id),
        )
        .where(Order.company_id == company_param())
    )


def _who_and_what(shape: ListShape) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if shape.q:
        match: ColumnElement[bool] = Order.search_text.like(
            bindparam("q_pattern"), escape=LIKE_ESCAPE
        )
        if shape.q_number:
            match = or_(match, Order.number == bindparam("q_number"))
        clauses.append(match)
    if shape.status_ids:
        clauses.append(Order.status_id == any_(bindparam("status_ids", type_=ARRAY(Uuid()))))
    if shape.stage:
        clauses.append(OrderStatus.stage == bindparam("stage"))
    if shape.customer:
        clauses.append(Order.customer_id == bindparam("customer_id"))
    if shape.assignee:
        clauses.append(
            exists().where(
                OrderAssignee.company_id == Order.company_id,
                OrderAssignee.order_id == Order.id,
                OrderAssignee.user_id == bindparam("assignee_id"),
            )
        )
    if shape.source:
        clauses.append(Order.source == bindparam("source"))
    if shape.review_state:
        clauses.append(Order.review_state == bindparam("review_state"))
    return clauses


def _when_and_money(shape: ListShape) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for name, column, operator in (
        ("created_from", Order.created_at, operators.ge),
        ("created_to", Order.created_at, operators.lt),
        ("reminder_from", Order.reminder_on, operators.ge),
        ("reminder_to", Order.reminder_on, operators.le),
    ):
        if getattr(shape, name):
            clauses.append(operator(column, bindparam(name)))
    if shape.has_balance is not None:
        clauses.append((Order.balance_due > 0) == shape.has_balance)
    if shape.overdue is not None:
        overdue = (
            Order.invoiced_on.is_not(None)
            & (Order.due_on < bindparam("today"))
            & (Order.balance_due > 0)
        )
        clauses.append(overdue if shape.overdue else ~overdue)
    return clauses


@lru_cache(maxsize=1024)
def list_statement(shape: ListShape) -> Prepared:
    """One page of the company's orders in keyset order, in one statement: values `limit`,
    and per the shape `after_key`/`after_id`, `q_pattern`, `q_number`, `status_ids`,
    `stage`, `customer_id`, `assignee_id`, `source`, `review_state`, `created_from`, `created_to`,
    `reminder_from`, `reminder_to`, `today` (for `overdue`)."""
    sort = SORTS[shape.sort]
    stmt = _rows()
    clauses = _who_and_what(shape) + _when_and_money(shape)
    if clauses:
        stmt = stmt.where(*clauses)
    if shape.after:
        last = tuple_(
            bindparam("after_key", type_=sort.key.type), bindparam("after_id", type_=Uuid())
        )
        position = tuple_(sort.key, sort.id)
        stmt = stmt.where(position < last if sort.descending else position > last)
    order = (sort.key.desc(), sort.id.desc()) if sort.descending else (sort.key, sort.id)
    return Prepared.of(stmt.order_by(*order).limit(bindparam("limit")))


@cache
def detail_statement() -> Prepared:
    """One order as a list row plus `version`: value `id`."""
    return Prepared.of(_rows().add_columns(Order.version).where(Order.id == bindparam("id")))


class OrderRepository(TenantRepository[Order]):
    model = Order
    label = "Order"

    async def lock(self, order_id: uuid.UUID) -> Order:
        """The order, row-locked until the transaction ends: every change to its lines,
        payments or invoice takes this lock first, so totals are computed one writer at a
        time (two payments posted at once queue instead of overpaying). 404 when missing."""
        return await self.get_or_404(order_id, for_update=True)

    async def list_rows(self, shape: ListShape, **values: Any) -> Sequence[Any]:
        """A page of order rows (`list_statement`), `limit` + 1 of them when there is more."""
        return await self.fetch(list_statement(shape), **values)

    async def detail_row(self, order_id: uuid.UUID) -> Any:
        """The order as a list row plus `version`, or None."""
        return await self.fetchrow(detail_statement(), id=order_id)
