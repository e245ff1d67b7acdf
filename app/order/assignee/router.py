from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.kit.dependencies import IfMatch, SessionDep
from app.kit.responses import set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.assignee import service
from app.order.assignee.schemas import AssigneeRead, OrderAssigneeCreate, OrderAssigneeUpdate

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/assignees", route_class=UnitOfWorkRoute, tags=["orders"]
)


@router.get("", operation_id="orders_assignees_list")
async def list_assignees(
    order_id: uuid.UUID, principal: OrdersRead, session: SessionDep
) -> Page[AssigneeRead]:
    """The users associated with the order, oldest first, on one page (an order has a
    handful)."""
    assignees = await service.list_assignees(session, principal, order_id)
    return Page(
        data=[AssigneeRead.model_validate(a) for a in assignees],
        has_more=False,
        next_cursor=None,
    )


@router.post("", operation_id="orders_assignees_create", status_code=status.HTTP_201_CREATED)
async def create_assignee(
    order_id: uuid.UUID,
    body: OrderAssigneeCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> AssigneeRead:
    """Associate an active user of the company with the order in a role; a user already on
    the order is a 409."""
    assignee = await service.add_assignee(session, principal, order_id, body)
    set_etag(response, assignee.version)
    response.headers["Location"] = f"/v1/orders/{order_id}/assignees/{assignee.user_id}"
    return AssigneeRead.model_validate(assignee)


@router.patch("/{user_id:uuid}", operation_id="orders_assignees_update")
async def update_assignee(
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    body: OrderAssigneeUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> AssigneeRead:
    """Change the user's role on the order; 404 when the user is not on it."""
    assignee = await service.update_assignee(
        session, principal, order_id, user_id, body, expected_version=if_match
    )
    set_etag(response, assignee.version)
    return AssigneeRead.model_validate(assignee)


@router.delete(
    "/{user_id:uuid}",
    operation_id="orders_assignees_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_assignee(
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Take the user off the order."""
    await service.remove_assignee(session, principal, order_id, user_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
