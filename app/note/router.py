from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.auth.dependencies import Authorize
from app.auth.principal import Principal
from app.kit.pagination import PageParamsDep, as_page
from app.kit.routing import CursorCodecDep, IfMatch, SessionDep, TrackrRoute, set_etag
from app.kit.schemas import Page
from app.note import service
from app.note.schemas import NoteCreate, NoteRead, NoteSort, NoteUpdate, NoteVisibility

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/notes", route_class=TrackrRoute, tags=["notes"]
)

CustomersRead = Annotated[Principal, Depends(Authorize("customers:read"))]
CustomersWrite = Annotated[Principal, Depends(Authorize("customers:write"))]


@router.get("", operation_id="customers_notes_list")
async def list_notes(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    visibility: Annotated[
        NoteVisibility | None, Query(description="Only office notes or only site notes.")
    ] = None,
    sort: NoteSort = "-created_at",
) -> Page[NoteRead]:
    """The customer's notes, newest first unless `sort=created_at`."""
    page = await service.list_notes(
        session,
        principal,
        customer_id,
        visibility=visibility,
        sort=sort,
        params=params,
        codec=codec,
    )
    return as_page(page, NoteRead.model_validate)


@router.post("", operation_id="customers_notes_create", status_code=status.HTTP_201_CREATED)
async def create_note(
    customer_id: uuid.UUID,
    body: NoteCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> NoteRead:
    """Add a note written by the caller (an API key writes as its creator)."""
    note = await service.create_note(session, principal, customer_id, body)
    set_etag(response, note.version)
    response.headers["Location"] = f"/v1/customers/{customer_id}/notes/{note.id}"
    return NoteRead.model_validate(note)


@router.get("/{note_id:uuid}", operation_id="customers_notes_get")
async def get_note(
    customer_id: uuid.UUID,
    note_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> NoteRead:
    note = await service.get_note(session, principal, customer_id, note_id)
    set_etag(response, note.version)
    return NoteRead.model_validate(note)


@router.patch("/{note_id:uuid}", operation_id="customers_notes_update")
async def update_note(
    customer_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> NoteRead:
    """Change the body or the visibility."""
    note = await service.update_note(
        session, principal, customer_id, note_id, body, expected_version=if_match
    )
    set_etag(response, note.version)
    return NoteRead.model_validate(note)


@router.delete(
    "/{note_id:uuid}", operation_id="customers_notes_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_note(
    customer_id: uuid.UUID,
    note_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    await service.delete_note(session, principal, customer_id, note_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
