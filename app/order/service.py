"""Orders: create (for a given, new or the default customer), read, edit, delete, list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Principal
from app.company import service as companies
from app.custom_field import service as custom_fields
from app.customer import service as customers
from app.customer.contact import service as contacts
from app.customer.location import service as locations
from app.customer.models import Customer
from app.errors import NotFound, ValidationFailed
from app.event import service as events
from app.kit.clock import today_in
from app.kit.concurrency import check_version
from app.kit.numbering import next_number
from app.kit.pagination import CursorCodec, PageParams, PageResult
from app.kit.repository import like_pattern
from app.order import money
from app.order.appointment import service as appointments
from app.order.assignee.service import Assignee, assignees_of
from app.order.file import service as files
from app.order.line.models import OrderLine
from app.order.line.repository import OrderLineRepository
from app.order.line.service import MAX_LINES
from app.order.models import Order
from app.order.payment.models import Payment
from app.order.payment.repository import PaymentRepository
from app.order.repository import (
    ROW_COLUMNS,
    SORTS,
    STATUS_COLUMNS,
    ListShape,
    OrderRepository,
)
from app.order.schemas import OrderCreate, OrderUpdate
from app.order_status import service as statuses
from app.order_status.models import OrderStatus
from app.storage.blob import BlobStore

ENTITY = "order"
_PLAIN_FIELDS = ("title", "description", "referral", "reminder_on", "scheduled_on", "source")


@dataclass(frozen=True)
class OrderContext:
    """What reading any order of the company needs besides its row: one query each."""

    statuses: dict[uuid.UUID, OrderStatus]
    currency: str
    today: date


@dataclass(frozen=True)
class OrderView:
    order: Order
    status: OrderStatus
    context: OrderContext


@dataclass(frozen=True)
class OrderDetailView(OrderView):
    lines: list[OrderLine]
    payments: list[Payment] | None
    assignees: list[Assignee]


@dataclass(frozen=True)
class OrderFilters:
    q: str | None = None
    status_ids: Sequence[uuid.UUID] = ()
    stage: str | None = None
    customer_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    source: str | None = None
    review_state: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    reminder_from: date | None = None
    reminder_to: date | None = None
    has_balance: bool | None = None
    overdue: bool | None = None


async def context(session: AsyncSession, principal: Principal) -> OrderContext:
    company = await companies.get_company(session, principal)
    found = await statuses.all_statuses(session, principal.company_id)
    return OrderContext({s.id: s for s in found}, company.currency, today_in(company.timezone))


def _view(order: Order, ctx: OrderContext) -> OrderView:
    return OrderView(order, ctx.statuses[order.status_id], ctx)


async def _status(
    session: AsyncSession, company_id: uuid.UUID, status_id: uuid.UUID | None
) -> OrderStatus:
    if status_id is None:
        return await statuses.default_status(session, company_id)
    return await statuses.require_status(session, company_id, status_id)


async def _customer(
    session: AsyncSession, principal: Principal, body: OrderCreate
) -> Customer | None:
    """The order's customer: the one named, a new one, or the company's default."""
    if body.customer is not None:
        if body.customer_id is not None:
            raise ValidationFailed.field("customer", "give either `customer_id` or `customer`")
        permissions.require(principal, permissions.CUSTOMERS_WRITE)
        try:
            view = await customers.create_customer(session, principal, body.customer)
        except ValidationFailed as exc:
            raise exc.within("customer") from exc
        return view.customer
    if body.customer_id is not None:
        return await _existing_customer(session, principal.company_id, body.customer_id)
    return await customers.default_customer(session, principal.company_id)


async def _existing_customer(
    session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
) -> Customer:
    customer = await customers.find_customer(session, company_id, customer_id)
    if customer is None:
        raise ValidationFailed.field("customer_id", f"customer {customer_id} does not exist")
    return customer


async def create_order(
    session: AsyncSession, principal: Principal, body: OrderCreate
) -> OrderDetailView:
    """Create an order with the company's next number. Without a customer it is for the
    company's default customer (seed 004), or for nobody when there is none. A location or
    contact it names must be that customer's (422 naming the field; another company's
    location is a 404)."""
    customer = await _customer(session, principal, body)
    customer_id = None if customer is None else customer.id
    location_id = await _location(session, principal.company_id, body.location_id, customer_id)
    contact_id = await _contact(session, principal.company_id, body.contact_id, customer_id)
    status = await _status(session, principal.company_id, body.status_id)
    values = await custom_fields.validate_values(
        session, principal.company_id, ENTITY, body.custom_fields
    )
    order = OrderRepository(session, principal.company_id).add(
        Order(
            number=await next_number(session, principal.company_id, ENTITY),
            customer_id=customer_id,
            customer_name=None if customer is None else customer.name,
            location_id=location_id,
            contact_id=contact_id,
            title=body.title,
            description=body.description,
            status_id=status.id,
            source=body.source or ("api" if principal.api_key_id else "staff"),
            referral=body.referral,
            reminder_on=body.reminder_on,
            scheduled_on=body.scheduled_on,
            custom_fields=values,
            created_by=principal.user_id,
        )
    )
    await session.flush()
    events.record(session, principal, "created", order)
    ctx = await context(session, principal)
    return OrderDetailView(order, status, ctx, [], [] if _sees_payments(principal) else None, [])


def _sees_payments(principal: Principal) -> bool:
    return permissions.allows(principal, permissions.PAYMENTS_READ)


async def read_order(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> tuple[dict[str, Any], int]:
    """The order as its detail schema's fields (app.order.schemas.OrderDetail) and its
    version: the order with its status and company in one prepared statement, then its
    lines, its payments (only with `payments:read`; null otherwise) and its assignees.
    404 when it is missing or another company's."""
    row = await OrderRepository(session, principal.company_id).detail_row(order_id)
    if row is None:
        raise NotFound(f"Order {order_id} not found.")
    fields = _read_fields(row, today_in(row["company_timezone"]))
    lines = await OrderLineRepository(session, principal.company_id, order_id).rows(MAX_LINES)
    fields["lines"] = [_line_fields(line) for line in lines]
    fields["payments"] = (
        [dict(p) for p in await PaymentRepository(session, principal.company_id, order_id).rows()]
        if _sees_payments(principal)
        else None
    )
    fields["assignees"] = [
        {"user_id": a.user_id, "user_name": a.user_name, "role": a.role, "created_at": a.created_at}
        for a in (await assignees_of(session, principal.company_id, [order_id]))[order_id]
    ]
    return fields, row["version"]


def _line_fields(row: Any) -> dict[str, Any]:
    fields = dict(row)
    fields["quantity"] = f"{fields['quantity']:.3f}"  # as OrderLineRead's QuantityOut
    return fields


async def _detail(session: AsyncSession, principal: Principal, order: Order) -> OrderDetailView:
    ctx = await context(session, principal)
    return OrderDetailView(
        order,
        ctx.statuses[order.status_id],
        ctx,
        await OrderLineRepository(session, principal.company_id, order.id).in_order(MAX_LINES),
        await PaymentRepository(session, principal.company_id, order.id).all()
        if _sees_payments(principal)
        else None,
        (await assignees_of(session, principal.company_id, [order.id]))[order.id],
    )


async def update_order(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    body: OrderUpdate,
    *,
    expected_version: int | None,
) -> OrderDetailView:
    """Change only the fields sent. Custom fields merge into the current values. A location
    or contact named must be the order's customer's (its new one, when `customer_id` changes
    too): 422 naming the field, 404 for another company's location."""
    order = await OrderRepository(session, principal.company_id).lock(order_id)
    check_version(order.version, expected_version)
    before = events.snapshot(order)
    changes = body.changes()
    if "customer_id" in changes:
        # First, while the order has no pending change: clearing its appointments' locations
        # flushes, and the order's own change must stay one UPDATE (one new version).
        await _change_customer(session, principal, order, changes)
    for field in _PLAIN_FIELDS:
        if field in changes:
            setattr(order, field, changes[field])
    if "status_id" in changes:
        order.status_id = (await _status(session, principal.company_id, changes["status_id"])).id
    if "location_id" in changes:
        order.location_id = await _location(
            session, principal.company_id, changes["location_id"], order.customer_id
        )
    if "contact_id" in changes:
        order.contact_id = await _contact(
            session, principal.company_id, changes["contact_id"], order.customer_id
        )
    if "custom_fields" in changes:
        order.custom_fields = await custom_fields.validate_values(
            session,
            principal.company_id,
            ENTITY,
            changes["custom_fields"],
            current=order.custom_fields,
        )
    await session.flush()
    events.record(session, principal, "updated", order, before=before)
    return await _detail(session, principal, order)


async def _location(
    session: AsyncSession,
    company_id: uuid.UUID,
    location_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
) -> uuid.UUID | None:
    if location_id is None:
        return None
    location = await locations.require_location(
        session, company_id, location_id, customer_id=customer_id
    )
    return location.id


async def _contact(
    session: AsyncSession,
    company_id: uuid.UUID,
    contact_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
) -> uuid.UUID | None:
    if contact_id is None:
        return None
    contact = await contacts.require_contact(
        session, company_id, contact_id, customer_id=customer_id
    )
    return contact.id


async def _change_customer(
    session: AsyncSession, principal: Principal, order: Order, changes: dict[str, Any]
) -> None:
    """Give the (locked) order the customer `changes` names. Its location and contact were
    the previous customer's, so a real change clears them (the caller then sets those that
    `changes` names, checked against the new customer), and its appointments' locations
    (which flushes them: call it before changing the order)."""
    customer = None
    if changes["customer_id"] is not None:
        customer = await _existing_customer(session, principal.company_id, changes["customer_id"])
    customer_id = None if customer is None else customer.id
    if customer_id != order.customer_id:
        await appointments.clear_locations(session, principal, order)
        order.location_id = None
        order.contact_id = None
    order.customer_id = customer_id
    order.customer_name = None if customer is None else customer.name


async def delete_order(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    expected_version: int | None,
    store: BlobStore,
) -> None:
    """Delete an order with its lines, payments, notes and files (FK cascades). The audit
    event keeps a snapshot with the payments it took along. The contents of its files go
    after commit, those that no other file uses."""
    repository = OrderRepository(session, principal.company_id)
    order = await repository.lock(order_id)
    check_version(order.version, expected_version)
    payments = await PaymentRepository(session, principal.company_id, order.id).all()
    shas = await files.shas_of_order(session, principal.company_id, order.id)
    before = events.snapshot(
        order, payments=[{"id": p.id, "amount": p.amount, "paid_on": p.paid_on} for p in payments]
    )
    await repository.delete(order)
    await session.flush()
    events.record(session, principal, "deleted", order, before=before, deleted=True)
    files.remove_blobs_after_commit(session, store, principal.company_id, shas)


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: OrderFilters,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[dict[str, Any]]:
    """One page in keyset order, in one prepared statement whatever the page size (the
    order, its status, the company's currency and timezone); each order as the fields of
    its read schema (app.order.schemas.OrderRead), with no ORM object or model between
    the database and the JSON."""
    values: dict[str, Any] = {"limit": params.limit + 1}
    if params.cursor:
        values["after_key"], values["after_id"] = codec.decode(
            params.cursor, principal.company_id, sort
        )
    if filters.overdue is not None:
        values["today"] = today_in((await companies.get_company(session, principal)).timezone)
    shape = _list_shape(filters, sort, bool(params.cursor), values)
    rows = await OrderRepository(session, principal.company_id).list_rows(shape, **values)
    items = rows[: params.limit]
    today = today_in(items[0]["company_timezone"]) if items else None
    data = [_read_fields(row, today) for row in items] if today else []
    next_cursor = None
    if len(rows) > params.limit:
        last, key = items[-1], SORTS[sort].key.key
        next_cursor = codec.encode(principal.company_id, sort, [last[key], last["id"]])
    return PageResult(data, next_cursor is not None, next_cursor)


def _list_shape(f: OrderFilters, sort: str, after: bool, values: dict[str, Any]) -> ListShape:
    """The statement's shape for these filters; their values go into `values`."""
    q = f.q.strip() if f.q else ""
    q_number = q.isdigit() and len(q) <= 18
    named = {
        "q_pattern": like_pattern(q.lower()) if q else None,
        "q_number": int(q) if q_number else None,
        "status_ids": list(f.status_ids) or None,
        "stage": f.stage,
        "customer_id": f.customer_id,
        "assignee_id": f.assignee_id,
        "source": f.source,
        "review_state": f.review_state,
        "created_from": f.created_from,
        "created_to": f.created_to,
        "reminder_from": f.reminder_from,
        "reminder_to": f.reminder_to,
    }
    values.update({k: v for k, v in named.items() if v is not None})
    return ListShape(
        sort,
        after=after,
        q=bool(q),
        q_number=q_number,
        status_ids=bool(f.status_ids),
        stage=f.stage is not None,
        customer=f.customer_id is not None,
        assignee=f.assignee_id is not None,
        source=f.source is not None,
        review_state=f.review_state is not None,
        created_from=f.created_from is not None,
        created_to=f.created_to is not None,
        reminder_from=f.reminder_from is not None,
        reminder_to=f.reminder_to is not None,
        has_balance=f.has_balance,
        overdue=f.overdue,
    )


def _read_fields(row: Any, today: date) -> dict[str, Any]:
    """An order row as its read schema's fields: the status nested, the invoice derived as
    app.order.payment.service.invoice_of derives it."""
    fields = {name: row[name] for name in ROW_COLUMNS}
    issued_on, due_on = fields.pop("invoiced_on"), fields.pop("due_on")
    fields["status"] = {name: row[f"status_{name}"] for name in STATUS_COLUMNS}
    fields["currency"] = row["company_currency"]
    fields["invoice"] = (
        None
        if issued_on is None
        else {
            "issued_on": issued_on,
            "due_on": due_on,
            "payment_state": money.payment_state(fields["total"], fields["amount_paid"]),
            "is_overdue": money.is_overdue(due_on, fields["balance_due"], today),
        }
    )
    return fields


async def order_or_404(session: AsyncSession, company_id: uuid.UUID, order_id: uuid.UUID) -> Order:
    """The company's order row, for another domain that hangs something off it; 404 when it
    is missing or another company's."""
    return await OrderRepository(session, company_id).get_or_404(order_id)
