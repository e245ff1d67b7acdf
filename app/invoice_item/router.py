from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import InvoiceItemsWrite, OrdersRead
from app.invoice_item import service
from app.invoice_item.schemas import InvoiceItemCreate, InvoiceItemRead, InvoiceItemUpdate
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import NO_NUL_PATTERN, Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/invoice-items", route_class=UnitOfWorkRoute, tags=["invoice items"])

# Whoever sees orders picks their lines from the catalog; changing it is its own permission.
InvoiceItemSort = Literal["sku", "-sku", "name", "-name"]


@router.get("", operation_id="invoice_items_list")
async def list_items(
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL_PATTERN,
            description="Only items whose SKU or name contains this, ignoring case.",
        ),
    ] = None,
    archived: Annotated[
        bool, Query(description="`true`: only archived items; `false` (default): only active.")
    ] = False,
    sort: InvoiceItemSort = "sku",
) -> Page[InvoiceItemRead]:
    """The catalog, by SKU unless `sort` says otherwise."""
    page = await service.list_items(
        session, principal, q=q, archived=archived, sort=sort, params=params, codec=codec
    )
    return as_page(page, InvoiceItemRead.model_validate)


@router.post(
    "",
    operation_id="invoice_items_create",
    status_code=status.HTTP_201_CREATED,
)
async def create_item(
    body: InvoiceItemCreate, principal: InvoiceItemsWrite, session: SessionDep, response: Response
) -> InvoiceItemRead:
    """Add an item to the catalog; a taken SKU is a 409 naming `sku`."""
    item = await service.create_item(session, principal, body)
    set_etag(response, item.version)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    return InvoiceItemRead.model_validate(item)


@router.get("/{invoice_item_id:uuid}", operation_id="invoice_items_get")
async def get_item(
    invoice_item_id: uuid.UUID, principal: OrdersRead, session: SessionDep, response: Response
) -> InvoiceItemRead:
    item = await service.get_item(session, principal, invoice_item_id)
    set_etag(response, item.version)
    return InvoiceItemRead.model_validate(item)


@router.patch(
    "/{invoice_item_id:uuid}",
    operation_id="invoice_items_update",
    responses=problem_responses(409),
)
async def update_item(
    invoice_item_id: uuid.UUID,
    body: InvoiceItemUpdate,
    principal: InvoiceItemsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> InvoiceItemRead:
    """Change an item; `is_archived: true` archives it (orders keep what they copied)."""
    item = await service.update_item(
        session, principal, invoice_item_id, body, expected_version=if_match
    )
    set_etag(response, item.version)
    return InvoiceItemRead.model_validate(item)


@router.delete(
    "/{invoice_item_id:uuid}",
    operation_id="invoice_items_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def delete_item(
    invoice_item_id: uuid.UUID, principal: InvoiceItemsWrite, session: SessionDep, if_match: IfMatch
) -> Response:
    """Delete an item no order line came from; one that lines use is a 409 (archive it)."""
    await service.delete_item(session, principal, invoice_item_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
