from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from app.auth.dependencies import OrdersDelete, OrdersRead, OrdersWrite
from app.kit.concurrency import etag
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import json_response, set_etag
from app.kit.schemas import NO_NUL_PATTERN, DateParam, DateTimeParam, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order import service
from app.order.assignee.schemas import AssigneeRead
from app.order.line.schemas import OrderLineRead
from app.order.payment.schemas import InvoiceRead, PaymentRead
from app.order.payment.service import invoice_of
from app.order.schemas import (
    OrderCreate,
    OrderDetail,
    OrderRead,
    OrderSource,
    OrderStatusBrief,
    OrderUpdate,
    ReviewState,
    Stage,
)
from app.storage.dependencies import BlobStoreDep

router = APIRouter(prefix="/v1/orders", route_class=UnitOfWorkRoute, tags=["orders"])

OrderSort = Literal["number", "-number", "created_at", "-created_at", "title", "-title"]


def _fields(view: service.OrderView) -> dict[str, object]:
    order = view.order
    invoice = invoice_of(order, view.context.today)
    return {
        "id": order.id,
        "number": order.number,
        "title": order.title,
        "description": order.description,
        "customer_id": order.customer_id,
        "customer_name": order.customer_name,
        "location_id": order.location_id,
        "contact_id": order.contact_id,
        "status": OrderStatusBrief.model_validate(view.status),
        "source": order.source,
        "referral": order.referral,
        "review_state": order.review_state,
        "reminder_on": order.reminder_on,
        "scheduled_on": order.scheduled_on,
        "custom_fields": order.custom_fields,
        "currency": view.context.currency,
        "subtotal": order.subtotal,
        "total": order.total,
        "amount_paid": order.amount_paid,
        "balance_due": order.balance_due,
        "invoice": None if invoice is None else InvoiceRead.model_validate(invoice),
        "created_by": order.created_by,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def to_detail(view: service.OrderDetailView) -> OrderDetail:
    return OrderDetail(
        **_fields(view),
        lines=[OrderLineRead.model_validate(line) for line in view.lines],
        payments=None
        if view.payments is None
        else [PaymentRead.model_validate(p) for p in view.payments],
        assignees=[AssigneeRead.model_validate(a) for a in view.assignees],
    )


async def order_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL_PATTERN,
            description="The order number, or a substring of the title or customer name.",
        ),
    ] = None,
    status: Annotated[
        list[uuid.UUID] | None, Query(max_length=20, description="Any of these status ids.")
    ] = None,
    stage: Stage | None = None,
    customer_id: uuid.UUID | None = None,
    assignee: Annotated[
        uuid.UUID | None, Query(description="Orders this user is associated with.")
    ] = None,
    source: OrderSource | None = None,
    review_state: Annotated[
        ReviewState | None,
        Query(description="`pending`: the review queue of orders from the public form."),
    ] = None,
    created_from: Annotated[DateTimeParam | None, Query(description="Created at or after.")] = None,
    created_to: Annotated[DateTimeParam | None, Query(description="Created before.")] = None,
    reminder_from: Annotated[DateParam | None, Query(description="Reminder on or after.")] = None,
    reminder_to: Annotated[DateParam | None, Query(description="Reminder on or before.")] = None,
    has_balance: Annotated[bool | None, Query(description="Balance due above zero.")] = None,
    overdue: Annotated[
        bool | None, Query(description="Invoiced, past due, with a balance.")
    ] = None,
) -> service.OrderFilters:
    return service.OrderFilters(
        q=q,
        status_ids=status or (),
        stage=stage,
        customer_id=customer_id,
        assignee_id=assignee,
        source=source,
        review_state=review_state,
        created_from=created_from,
        created_to=created_to,
        reminder_from=reminder_from,
        reminder_to=reminder_to,
        has_balance=has_balance,
        overdue=overdue,
    )


OrderFiltersDep = Annotated[service.OrderFilters, Depends(order_filters)]


@router.get("", operation_id="orders_list", response_model=Page[OrderRead])
async def list_orders(
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    filters: OrderFiltersDep,
    sort: OrderSort = "-number",
) -> Response:
    """The company's orders, newest number first by default; every sort pages with keyset
    cursors."""
    page = await service.list_orders(
        session, principal, filters=filters, sort=sort, params=params, codec=codec
    )
    return json_response(
        {"data": page.items, "has_more": page.has_more, "next_cursor": page.next_cursor}
    )


@router.post(
    "",
    operation_id="orders_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409),
)
async def create_order(
    body: OrderCreate, principal: OrdersWrite, session: SessionDep, response: Response
) -> OrderDetail:
    """Create an order. `customer_id` names its customer; `customer` creates one with it
    (409 on a duplicate, as `POST /v1/customers`); with neither, the order is for the
    company's default customer, if any. `location_id` and `contact_id` name that customer's
    service location and contact (404 for another company's location)."""
    view = await service.create_order(session, principal, body)
    response.headers["Location"] = f"{router.prefix}/{view.order.id}"
    set_etag(response, view.order.version)
    return to_detail(view)


@router.get("/{order_id:uuid}", operation_id="orders_get", response_model=OrderDetail)
async def get_order(order_id: uuid.UUID, principal: OrdersRead, session: SessionDep) -> Response:
    """The order with its line items, payments (with `payments:read`) and assignees."""
    fields, version = await service.read_order(session, principal, order_id)
    return json_response(fields, headers={"ETag": etag(version)})


@router.patch("/{order_id:uuid}", operation_id="orders_update")
async def update_order(
    order_id: uuid.UUID,
    body: OrderUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> OrderDetail:
    """Change only the fields sent. Changing `customer_id` clears `location_id` and
    `contact_id` (and the appointments' locations) unless new ones are named with it."""
    view = await service.update_order(session, principal, order_id, body, expected_version=if_match)
    set_etag(response, view.order.version)
    return to_detail(view)


@router.delete(
    "/{order_id:uuid}", operation_id="orders_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_order(
    order_id: uuid.UUID,
    principal: OrdersDelete,
    session: SessionDep,
    store: BlobStoreDep,
    if_match: IfMatch,
) -> Response:
    """Delete an order with its lines, payments, notes and files; the audit log keeps a
    snapshot, payments included. File contents no other file uses are removed after the
    deletion is committed."""
    await service.delete_order(session, principal, order_id, expected_version=if_match, store=store)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
