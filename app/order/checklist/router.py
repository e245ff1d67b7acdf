from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.checklist import service
from app.order.checklist.schemas import ChecklistItemCreate, ChecklistItemRead, ChecklistItemUpdate

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/checklist", route_class=UnitOfWorkRoute, tags=["orders"]
)


@router.get("", operation_id="orders_checklist_list")
async def list_checklist(
    order_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[ChecklistItemRead]:
    """The order's installer checklist, in order."""
    page = await service.list_items(session, principal, order_id, params=params, codec=codec)
    return as_page(page, ChecklistItemRead.model_validate)


@router.post("", operation_id="orders_checklist_create", status_code=status.HTTP_201_CREATED)
async def create_checklist_item(
    order_id: uuid.UUID,
    body: ChecklistItemCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> ChecklistItemRead:
    """Add an item at the end of the checklist."""
    item = await service.create_item(session, principal, order_id, body)
    set_etag(response, item.version)
    response.headers["Location"] = f"/v1/orders/{order_id}/checklist/{item.id}"
    return ChecklistItemRead.model_validate(item)


@router.patch("/{checklist_item_id:uuid}", operation_id="orders_checklist_update")
async def update_checklist_item(
    order_id: uuid.UUID,
    checklist_item_id: uuid.UUID,
    body: ChecklistItemUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> ChecklistItemRead:
    """Change the text, or tick the item off (`is_done`: records who and when) or untick it."""
    item = await service.update_item(
        session, principal, order_id, checklist_item_id, body, expected_version=if_match
    )
    set_etag(response, item.version)
    return ChecklistItemRead.model_validate(item)


@router.delete(
    "/{checklist_item_id:uuid}",
    operation_id="orders_checklist_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_checklist_item(
    order_id: uuid.UUID,
    checklist_item_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    await service.delete_item(
        session, principal, order_id, checklist_item_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
