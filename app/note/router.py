"""The notes API of every parent record, built by one function: `/v1/customers/{id}/notes`
and `/v1/orders/{id}/notes` differ only in their names, their permissions and the parent
they look up (app.note.service.NoteParent).
The module does not postpone annotations: each route's parameter types are built per call.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from app.auth.dependencies import (
    CustomersRead,
    CustomersWrite,
    OrdersRead,
    OrdersWrite,
    VendorsRead,
    VendorsWrite,
)
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.note import service
from app.note.schemas import (
    CustomerNoteListItem,
    NoteContent,
    NoteCreate,
    NoteInclude,
    NoteRead,
    NoteSort,
    NoteUpdate,
    NoteVisibility,
    OrderNoteRead,
    VendorNoteRead,
)


def _title(name: str) -> str:
    return name.replace("_", " ").title()


def _notes_router(
    *,
    parent: service.NoteParent,
    collection: str,
    parent_param: str,
    note_param: str,
    tag: str,
    read: type[NoteContent],
    list_item: type[NoteContent],
    reader: Any,
    writer: Any,
    includes_orders: bool = False,
) -> APIRouter:
    """The five note routes under `/v1/{collection}/{parent_param}/notes`, their operation
    ids `{collection}_notes_*`, guarded by `reader` and `writer`; the list items are
    `list_item`, and `includes_orders` adds `include=orders` to the list (a customer's)."""
    router = APIRouter(
        prefix=f"/v1/{collection}/{{{parent_param}:uuid}}/notes",
        route_class=UnitOfWorkRoute,
        tags=[tag],
    )
    parent_name = collection.removesuffix("s")
    # Evaluated here, not postponed: the parameter names and guards are this call's.
    parent_path = Annotated[uuid.UUID, Path(alias=parent_param, title=_title(parent_param))]
    note_path = Annotated[uuid.UUID, Path(alias=note_param, title=_title(note_param))]

    page_of_items: Any = Page[list_item]  # type: ignore[valid-type]
    list_doc = (
        f"The {parent_name}'s notes, newest first unless `sort=created_at`. A caller without "
        "`customers:office` gets its site notes only."
    )
    visibility_query = Annotated[
        NoteVisibility | None, Query(description="Only office notes or only site notes.")
    ]
    list_route = router.get(
        "", operation_id=f"{collection}_notes_list", response_model=page_of_items
    )

    async def list_notes(
        parent_id: parent_path,
        principal: reader,
        session: SessionDep,
        codec: CursorCodecDep,
        params: PageParamsDep,
        visibility: visibility_query = None,
        sort: NoteSort = "-created_at",
    ) -> Any:
        page = await service.list_notes(
            session,
            principal,
            parent,
            parent_id,
            visibility=visibility,
            sort=sort,
            params=params,
            codec=codec,
        )
        return as_page(page, list_item.model_validate)

    async def list_notes_with_orders(
        parent_id: parent_path,
        principal: reader,
        session: SessionDep,
        codec: CursorCodecDep,
        params: PageParamsDep,
        visibility: visibility_query = None,
        sort: NoteSort = "-created_at",
        include: Annotated[
            NoteInclude | None,
            Query(
                description="`orders`: the notes of the customer's orders too, in the same "
                "order and pages (each names its `order_id`); needs `orders:read` as well."
            ),
        ] = None,
    ) -> Any:
        if include is None:
            return await list_notes(
                parent_id, principal, session, codec, params, visibility=visibility, sort=sort
            )
        page = await service.list_customer_and_order_notes(
            session,
            principal,
            parent_id,
            visibility=visibility,
            sort=sort,
            params=params,
            codec=codec,
        )
        return as_page(page, list_item.model_validate)

    endpoint = list_notes_with_orders if includes_orders else list_notes
    endpoint.__doc__ = list_doc
    endpoint.__name__ = "list_notes"
    list_route(endpoint)

    @router.post(
        "",
        operation_id=f"{collection}_notes_create",
        status_code=status.HTTP_201_CREATED,
        response_model=read,
    )
    async def create_note(
        parent_id: parent_path,
        body: NoteCreate,
        principal: writer,
        session: SessionDep,
        response: Response,
    ) -> Any:
        """Add a note written by the caller (an API key writes as its creator)."""
        note = await service.create_note(session, principal, parent, parent_id, body)
        set_etag(response, note.version)
        response.headers["Location"] = f"/v1/{collection}/{parent_id}/notes/{note.id}"
        return read.model_validate(note)

    @router.get(
        f"/{{{note_param}:uuid}}", operation_id=f"{collection}_notes_get", response_model=read
    )
    async def get_note(
        parent_id: parent_path,
        note_id: note_path,
        principal: reader,
        session: SessionDep,
        response: Response,
    ) -> Any:
        note = await service.get_note(session, principal, parent, parent_id, note_id)
        set_etag(response, note.version)
        return read.model_validate(note)

    @router.patch(
        f"/{{{note_param}:uuid}}", operation_id=f"{collection}_notes_update", response_model=read
    )
    async def update_note(
        parent_id: parent_path,
        note_id: note_path,
        body: NoteUpdate,
        principal: writer,
        session: SessionDep,
        if_match: IfMatch,
        response: Response,
    ) -> Any:
        """Change the body or the visibility."""
        note = await service.update_note(
            session, principal, parent, parent_id, note_id, body, expected_version=if_match
        )
        set_etag(response, note.version)
        return read.model_validate(note)

    @router.delete(
        f"/{{{note_param}:uuid}}",
        operation_id=f"{collection}_notes_delete",
        status_code=status.HTTP_204_NO_CONTENT,
    )
    async def delete_note(
        parent_id: parent_path,
        note_id: note_path,
        principal: writer,
        session: SessionDep,
        if_match: IfMatch,
    ) -> Response:
        await service.delete_note(
            session, principal, parent, parent_id, note_id, expected_version=if_match
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


customer_notes = _notes_router(
    parent=service.CUSTOMER,
    collection="customers",
    parent_param="customer_id",
    note_param="note_id",
    tag="notes",
    read=NoteRead,
    list_item=CustomerNoteListItem,
    reader=CustomersRead,
    writer=CustomersWrite,
    includes_orders=True,
)
order_notes = _notes_router(
    parent=service.ORDER,
    collection="orders",
    parent_param="order_id",
    note_param="order_note_id",
    tag="orders",
    read=OrderNoteRead,
    list_item=OrderNoteRead,
    reader=OrdersRead,
    writer=OrdersWrite,
)
vendor_notes = _notes_router(
    parent=service.VENDOR,
    collection="vendors",
    parent_param="vendor_id",
    note_param="vendor_note_id",
    tag="vendors",
    read=VendorNoteRead,
    list_item=VendorNoteRead,
    reader=VendorsRead,
    writer=VendorsWrite,
)
