from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import OrdersRead, SettingsWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order_status import service
from app.order_status.schemas import (
    OrderStatusCreate,
    OrderStatusRead,
    OrderStatusReorder,
    OrderStatusUpdate,
)

router = APIRouter(
    prefix="/v1/order-statuses", route_class=UnitOfWorkRoute, tags=["order statuses"]
)

# Whoever sees orders needs the statuses to show them; changing them is a setting.


@router.get("", operation_id="order_statuses_list")
async def list_statuses(
    principal: OrdersRead, session: SessionDep, codec: CursorCodecDep, params: PageParamsDep
) -> Page[OrderStatusRead]:
    """The company's order statuses, by position."""
    page = await service.list_statuses(session, principal, params=params, codec=codec)
    return as_page(page, OrderStatusRead.model_validate)


@router.post("", operation_id="order_statuses_create", status_code=status.HTTP_201_CREATED)
async def create_status(
    body: OrderStatusCreate, principal: SettingsWrite, session: SessionDep, response: Response
) -> OrderStatusRead:
    """Add a status at the end of the list; a taken name is a 409 naming `name`."""
    order_status = await service.create_status(session, principal, body)
    set_etag(response, order_status.version)
    response.headers["Location"] = f"{router.prefix}/{order_status.id}"
    return OrderStatusRead.model_validate(order_status)


@router.put("/order", operation_id="order_statuses_reorder")
async def reorder_statuses(
    body: OrderStatusReorder, principal: SettingsWrite, session: SessionDep
) -> Page[OrderStatusRead]:
    """Put the statuses in a new order: `ids` names every status of the company once."""
    statuses = await service.reorder_statuses(session, principal, body.ids)
    return Page(
        data=[OrderStatusRead.model_validate(s) for s in statuses],
        has_more=False,
        next_cursor=None,
    )


@router.get("/{status_id:uuid}", operation_id="order_statuses_get")
async def get_status(
    status_id: uuid.UUID, principal: OrdersRead, session: SessionDep, response: Response
) -> OrderStatusRead:
    order_status = await service.get_status(session, principal, status_id)
    set_etag(response, order_status.version)
    return OrderStatusRead.model_validate(order_status)


@router.patch(
    "/{status_id:uuid}", operation_id="order_statuses_update", responses=problem_responses(409)
)
async def update_status(
    status_id: uuid.UUID,
    body: OrderStatusUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> OrderStatusRead:
    """Change a status. `is_default: true` makes it the default for new orders (the previous
    default loses the mark); the default cannot be unset, only moved."""
    order_status = await service.update_status(
        session, principal, status_id, body, expected_version=if_match
    )
    set_etag(response, order_status.version)
    return OrderStatusRead.model_validate(order_status)


@router.delete(
    "/{status_id:uuid}",
    operation_id="order_statuses_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def delete_status(
    status_id: uuid.UUID,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    move_to: Annotated[
        uuid.UUID | None,
        Query(description="Another status to move this status's orders to before deleting it."),
    ] = None,
) -> Response:
    """Delete a status. The default status is a 409 (make another one the default first); so
    is one that orders use (the problem's `orders_count` says how many), unless `move_to`
    names the status to move those orders to."""
    await service.delete_status(
        session, principal, status_id, move_to=move_to, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
