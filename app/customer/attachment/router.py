from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.customer.attachment import service
from app.customer.attachment.models import Attachment
from app.customer.attachment.schemas import (
    AttachmentFields,
    AttachmentRead,
    AttachmentUpdate,
)
from app.kit.dependencies import (
    CursorCodecDep,
    IfMatch,
    PageParamsDep,
    SessionDep,
    SettingsDep,
)
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.storage import web
from app.storage.dependencies import BlobStoreDep

PREFIX = "/v1/customers/{customer_id:uuid}/attachments"
router = APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, tags=["attachments"])

# The upload path, for the body size limit (app/main.py, app/storage/web.py).
UPLOAD_PATH = re.compile(r"^/v1/customers/[^/]+/attachments/?$")


def _url(attachment: Attachment) -> str:
    return f"/v1/customers/{attachment.customer_id}/attachments/{attachment.id}"


@router.get("", operation_id="customers_attachments_list")
async def list_attachments(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    location_id: Annotated[
        uuid.UUID | None, Query(description="Only the attachments about this location.")
    ] = None,
    equipment_id: Annotated[
        uuid.UUID | None, Query(description="Only the attachments about this equipment.")
    ] = None,
) -> Page[AttachmentRead]:
    """The customer's attachments, newest first. A caller without `customers:office` gets
    the field-visible ones only."""
    page = await service.list_attachments(
        session,
        principal,
        customer_id,
        location_id=location_id,
        equipment_id=equipment_id,
        params=params,
        codec=codec,
    )
    return as_page(page, AttachmentRead.model_validate)


@router.post(
    "",
    operation_id="customers_attachments_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(413),
)
async def create_attachment(
    customer_id: uuid.UUID,
    file: Annotated[UploadFile, File(description=web.UPLOAD_DESCRIPTION)],
    principal: CustomersWrite,
    session: SessionDep,
    store: BlobStoreDep,
    settings: SettingsDep,
    response: Response,
    fields: Annotated[AttachmentFields, Form()],
) -> AttachmentRead:
    """Attach a file to the customer (`multipart/form-data`: the `file` part and optional
    metadata fields), at most `MAX_UPLOAD_BYTES` (25 MiB by default; larger is a 413 and
    nothing is stored). The file name is kept without any folder part; the content type is
    the part's own (`application/octet-stream` when missing or malformed)."""
    attachment = await service.create_attachment(
        session,
        principal,
        store,
        customer_id,
        file,
        name=fields.name,
        description=fields.description,
        location_id=fields.location_id,
        equipment_id=fields.equipment_id,
        visible_to_field=fields.visible_to_field,
        max_bytes=settings.max_upload_bytes,
    )
    set_etag(response, attachment.version)
    response.headers["Location"] = _url(attachment)
    return AttachmentRead.model_validate(attachment)


@router.get("/{attachment_id:uuid}", operation_id="customers_attachments_get")
async def get_attachment(
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> AttachmentRead:
    """The attachment's metadata; its content is at `.../content`."""
    attachment = await service.get_attachment(session, principal, customer_id, attachment_id)
    set_etag(response, attachment.version)
    return AttachmentRead.model_validate(attachment)


@router.get(
    "/{attachment_id:uuid}/content",
    operation_id="customers_attachments_download",
    response_class=StreamingResponse,
    responses=web.DOWNLOAD_RESPONSES,
)
async def download_attachment(
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    store: BlobStoreDep,
) -> StreamingResponse:
    """The attachment's content, streamed, offered as a download under its file name."""
    attachment = await service.get_attachment(session, principal, customer_id, attachment_id)
    return await web.download(
        store,
        service.blob_key(attachment.company_id, attachment.sha256),
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        missing=f"The content of attachment {attachment.id} is missing from the store.",
    )


@router.patch("/{attachment_id:uuid}", operation_id="customers_attachments_update")
async def update_attachment(
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    body: AttachmentUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> AttachmentRead:
    """Change the name, description, location or field visibility."""
    attachment = await service.update_attachment(
        session, principal, customer_id, attachment_id, body, expected_version=if_match
    )
    set_etag(response, attachment.version)
    return AttachmentRead.model_validate(attachment)


@router.delete(
    "/{attachment_id:uuid}",
    operation_id="customers_attachments_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_attachment(
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    store: BlobStoreDep,
    if_match: IfMatch,
) -> Response:
    """Remove the attachment; its content goes when no other attachment uses it."""
    await service.delete_attachment(
        session, principal, customer_id, attachment_id, store=store, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
