from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import OrdersRead, OrdersWrite
from app.config import Settings
from app.errors import NotFound
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
from app.storage.blob import BlobNotFound
from app.storage.dependencies import BlobStoreDep

PREFIX = "/v1/orders/{order_id:uuid}/files"
router = APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, tags=["order files"])

# The upload path, for the body size limit (app/main.py): an upload's body may exceed
# MAX_BODY_BYTES, by the file's limit plus what the multipart framing adds.
UPLOAD_PATH = re.compile(r"^/v1/orders/[^/]+/files/?$")
MULTIPART_ALLOWANCE = 64 * 1024

# The ASCII fallback name keeps letters, digits and a few harmless marks; everything else
# (quotes, backslashes, separators, controls, non-ASCII) becomes "_": it cannot break the
# header.
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+,=@~-]")


def upload_body_limit(settings: Settings) -> int:
    return settings.max_upload_bytes + MULTIPART_ALLOWANCE


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name for old clients and the exact name as
    RFC 8187 `filename*` (UTF-8, percent-encoded) for the others (RFC 6266)."""
    decomposed = unicodedata.normalize("NFKD", filename)  # "é" is "e" and a combining mark
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    fallback = _FALLBACK_UNSAFE.sub("_", base).strip(" .") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


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
        File(description="The file, as a `multipart/form-data` part with a file name."),
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
    responses={
        200: {
            "description": "The content, as uploaded, with the stored content type.",
            "content": {"*/*": {"schema": {}}},
            "headers": {
                "Content-Disposition": {
                    "description": "`attachment`, with the file name (`filename*`, UTF-8).",
                    "schema": {"type": "string"},
                },
            },
        }
    },
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
    try:
        chunks = await store.open(service.blob_key(file.company_id, file.sha256))
    except BlobNotFound:
        raise NotFound(f"The content of file {file.id} is missing from the store.") from None
    return StreamingResponse(
        chunks,
        headers={
            # As stored: `media_type=` would add a charset to text/* types.
            "Content-Type": file.content_type,
            "Content-Length": str(file.size),
            "Content-Disposition": content_disposition(file.filename),
            # Never rendered or sniffed as something else: it is the user's content.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
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
