from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.kit.dependencies import IfMatch, SessionDep
from app.kit.responses import set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.line import service
from app.order.line.schemas import OrderLineCreate, OrderLineRead, OrderLineUpdate

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/items",
    route_class=UnitOfWorkRoute,
    tags=["order line items"],
)


@router.get("", operation_id="orders_items_list")
async def list_items(
    order_id: uuid.UUID, principal: OrdersRead, session: SessionDep
) -> Page[OrderLineRead]:
    """All the order's line items by position, in one page (an order has at most 500)."""
    lines = await service.list_lines(session, principal, order_id)
    return Page(
        data=[OrderLineRead.model_validate(line) for line in lines],
        has_more=False,
        next_cursor=None,
    )


@router.post("", operation_id="orders_items_create", status_code=status.HTTP_201_CREATED)
async def create_item(
    order_id: uuid.UUID,
    body: OrderLineCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> OrderLineRead:
    """Add a line at the end: from the catalog (`invoice_item_id`, its values copied now) or
    ad hoc (`name` and `unit_amount`). The order's totals are recomputed."""
    line = await service.create_line(session, principal, order_id, body)
    set_etag(response, line.version)
    response.headers["Location"] = f"/v1/orders/{order_id}/items/{line.id}"
    return OrderLineRead.model_validate(line)


@router.get("/{line_id:uuid}", operation_id="orders_items_get")
async def get_item(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    response: Response,
) -> OrderLineRead:
    line = await service.get_line(session, principal, order_id, line_id)
    set_etag(response, line.version)
    return OrderLineRead.model_validate(line)


@router.patch("/{line_id:uuid}", operation_id="orders_items_update")
async def update_item(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    body: OrderLineUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> OrderLineRead:
    """Change only the fields sent; the line total and the order's totals follow. A change
    that leaves the order owing less than was paid is a 422 naming the field."""
    line = await service.update_line(
        session, principal, order_id, line_id, body, expected_version=if_match
    )
    set_etag(response, line.version)
    return OrderLineRead.model_validate(line)


@router.delete(
    "/{line_id:uuid}", operation_id="orders_items_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_item(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Remove the line; 422 when the order would then owe less than was paid."""
    await service.delete_line(session, principal, order_id, line_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
