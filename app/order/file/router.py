from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.kit.dependencies import (
    CursorCodecDep,
    PageParamsDep,
    SessionDep,
    SettingsDep,
)
from app.kit.responses import as_page
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order.file import service
from app.order.file.schemas import OrderFileRead
from app.storage import web
from app.storage.dependencies import BlobStoreDep

PREFIX = "/v1/orders/{order_id:uuid}/files"
router = APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, tags=["order files"])

# The upload path, for the body size limit (app/main.py, app/storage/web.py).
UPLOAD_PATH = re.compile(r"^/v1/orders/[^/]+/files/?$")


@router.get("", operation_id="orders_files_list")
async def list_files(
    order_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[OrderFileRead]:
    """The order's files, newest first."""
    page = await service.list_files(session, principal, order_id, params=params, codec=codec)
    return as_page(page, OrderFileRead.model_validate)


@router.post(
    "",
    operation_id="orders_files_create",
    status_code=status.HTTP_201_CREATED,
)
async def create_file(
    order_id: uuid.UUID,
    file: Annotated[
        UploadFile,
        File(description=web.UPLOAD_DESCRIPTION),
    ],
    principal: OrdersWrite,
    session: SessionDep,
    store: BlobStoreDep,
    settings: SettingsDep,
    response: Response,
) -> OrderFileRead:
    """Attach a file (at most `MAX_UPLOAD_BYTES`, 25 MiB by default; larger is a 413 and
    nothing is stored). The name is kept without any folder part; the content type is the
    part's own (`application/octet-stream` when missing or malformed). Empty files are
    accepted."""
    created = await service.create_file(
        session, principal, store, order_id, file, max_bytes=settings.max_upload_bytes
    )
    response.headers["Location"] = f"/v1/orders/{order_id}/files/{created.id}"
    return OrderFileRead.model_validate(created)


@router.get("/{file_id:uuid}", operation_id="orders_files_get")
async def get_file(
    order_id: uuid.UUID, file_id: uuid.UUID, principal: OrdersRead, session: SessionDep
) -> OrderFileRead:
    """The file's metadata; its content is at `.../content`."""
    return OrderFileRead.model_validate(
        await service.get_file(session, principal, order_id, file_id)
    )


@router.get(
    "/{file_id:uuid}/content",
    operation_id="orders_files_download",
    response_class=StreamingResponse,
    responses=web.DOWNLOAD_RESPONSES,
)
async def download_file(
    order_id: uuid.UUID,
    file_id: uuid.UUID,
    principal: OrdersRead,
    session: SessionDep,
    store: BlobStoreDep,
) -> StreamingResponse:
    """The file's content, streamed, offered as a download under its name."""
    file = await service.get_file(session, principal, order_id, file_id)
    return await web.download(
        store,
        service.blob_key(file.company_id, file.sha256),
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        missing=f"The content of file {file.id} is missing from the store.",
    )


@router.delete(
    "/{file_id:uuid}", operation_id="orders_files_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_file(
    order_id: uuid.UUID,
    file_id: uuid.UUID,
    principal: OrdersWrite,
    session: SessionDep,
    store: BlobStoreDep,
) -> Response:
    """Remove the file from the order; its content goes when no other file uses it."""
    await service.delete_file(session, principal, order_id, file_id, store=store)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
