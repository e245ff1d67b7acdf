from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.auth.dependencies import Authorize
from app.auth.principal import Principal
from app.kit.pagination import PageParamsDep, as_page
from app.kit.routing import CursorCodecDep, IfMatch, SessionDep, TrackrRoute, set_etag
from app.kit.schemas import Page
from app.note.schemas import NoteCreate, NoteSort, NoteUpdate, NoteVisibility
from app.order_note import service
from app.order_note.schemas import OrderNoteRead

router = APIRouter(
    prefix="/v1/orders/{order_id:uuid}/notes", route_class=TrackrRoute, tags=["orders"]
)

OrdersRead = Annotated[Principal, Depends(Authorize("orders:read"))]
OrdersWrite = Annotated[Principal, Depends(Authorize("orders:write"))]


@router.get("", operation_id="orders_notes_list")
async def list_notes(
    order_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    visibility: Annotated[
        NoteVisibility | None, Query(description="Only office notes or only site notes.")
    ] = None,
    sort: NoteSort = "-created_at",
) -> Page[OrderNoteRead]:
    """The order's notes, newest first unless `sort=created_at`."""
    page = await service.list_notes(
        session, principal, order_id, visibility=visibility, sort=sort, params=params, codec=codec
    )
    return as_page(page, OrderNoteRead.model_validate)


@router.post("", operation_id="orders_notes_create", status_code=status.HTTP_201_CREATED)
async def create_note(
    order_id: uuid.UUID,
    body: NoteCreate,
    principal: OrdersWrite,
    session: SessionDep,
    response: Response,
) -> OrderNoteRead:
    """Add a note written by the caller (an API key writes as its creator)."""
    note = await service.create_note(session, principal, order_id, body)
    set_etag(response, note.version)
    response.headers["Location"] = f"/v1/orders/{order_id}/notes/{note.id}"
    return OrderNoteRead.model_validate(note)


@router.get("/{order_note_id:uuid}", operation_id="orders_notes_get")
async def get_note(
    order_id: uuid.UUID,
    order_note_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    response: Response,
) -> OrderNoteRead:
    note = await service.get_note(session, principal, order_id, order_note_id)
    set_etag(response, note.version)
    return OrderNoteRead.model_validate(note)


@router.patch("/{order_note_id:uuid}", operation_id="orders_notes_update")
async def update_note(
    order_id: uuid.UUID,
    order_note_id: uuid.UUID,
    body: NoteUpdate,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> OrderNoteRead:
    """Change the body or the visibility."""
    note = await service.update_note(
        session, principal, order_id, order_note_id, body, expected_version=if_match
    )
    set_etag(response, note.version)
    return OrderNoteRead.model_validate(note)


@router.delete(
    "/{order_note_id:uuid}",
    operation_id="orders_notes_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_note(
    order_id: uuid.UUID,
    order_note_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    await service.delete_note(
        session, principal, order_id, order_note_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
