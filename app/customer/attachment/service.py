"""Attachments of a customer (seed 002): pictures, site maps, install manuals, contracts,
optionally about one of its service locations, uploaded through the one upload mechanism
of app/storage/files.py (the same blob store, size limit, content addressing and clean-up
after commit as order files).

What field staff see: a caller without `customers:office` sees only attachments marked
`visible_to_field`; any other is missing from its lists and a 404 by id (the repository
filters it). Such a caller's uploads are field-visible unless it says otherwise, and it
cannot hide one from the field (403 naming `customers:office`), which would hide it from
itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Principal
from app.customer.attachment import repository as attachments
from app.customer.attachment.models import Attachment
from app.customer.attachment.repository import BLOBS, AttachmentRepository
from app.customer.attachment.schemas import AttachmentUpdate
from app.customer.equipment import service as equipment
from app.customer.location import service as locations
from app.customer.models import Customer
from app.customer.repository import CustomerRepository
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.storage.blob import BlobStore
from app.storage.files import Upload

SORT = Sort("-created_at", Attachment.created_at, Attachment.id, descending=True)


def blob_key(company_id: uuid.UUID, sha256: str) -> str:
    return BLOBS.key(company_id, sha256)


def _sees_office(principal: Principal) -> bool:
    return permissions.allows(principal, permissions.CUSTOMERS_OFFICE)


def _check_field_visibility(principal: Principal, visible_to_field: bool) -> None:
    if not visible_to_field:
        permissions.require(principal, permissions.CUSTOMERS_OFFICE)


async def _scope(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> tuple[Customer, AttachmentRepository]:
    """The customer (404 when it is not the company's) and a repository of the attachments
    of it that the caller may see."""
    customer = await CustomerRepository(session, principal.company_id).get_or_404(customer_id)
    repository = AttachmentRepository(
        session, principal.company_id, customer.id, office=_sees_office(principal)
    )
    return customer, repository


async def list_attachments(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    location_id: uuid.UUID | None,
    equipment_id: uuid.UUID | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Attachment]:
    """The customer's attachments the caller may see, newest first, of one location or one
    piece of equipment when asked."""
    _, repository = await _scope(session, principal, customer_id)
    stmt = repository.select()
    if location_id is not None:
        stmt = stmt.where(Attachment.location_id == location_id)
    if equipment_id is not None:
        stmt = stmt.where(Attachment.equipment_id == equipment_id)
    return await repository.page(stmt, sort=SORT, params=params, codec=codec)


async def get_attachment(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """One attachment of the customer; 404 for another customer's, or for one the caller
    may not see."""
    _, repository = await _scope(session, principal, customer_id)
    return await repository.get_or_404(attachment_id)


async def create_attachment(
    session: AsyncSession,
    principal: Principal,
    store: BlobStore,
    customer_id: uuid.UUID,
    upload: Upload,
    *,
    name: str | None,
    description: str | None,
    location_id: uuid.UUID | None,
    equipment_id: uuid.UUID | None,
    visible_to_field: bool | None,
    max_bytes: int,
) -> Attachment:
    """Attach an uploaded file to the customer. The metadata is checked first (the location
    and the equipment must be this customer's: 422 naming the field; another company's is
    a 404), then the content is stored (413 beyond `max_bytes`, and nothing is stored),
    then the row."""
    customer, repository = await _scope(session, principal, customer_id)
    if visible_to_field is None:
        visible_to_field = not _sees_office(principal)
    _check_field_visibility(principal, visible_to_field)
    await _check_links(
        session, principal, customer.id, {"location_id": location_id, "equipment_id": equipment_id}
    )
    stored = await BLOBS.store(session, store, principal.company_id, upload, max_bytes=max_bytes)
    attachment = repository.add(
        Attachment(
            location_id=location_id,
            equipment_id=equipment_id,
            name=name if name is not None else stored.filename,
            description=description,
            visible_to_field=visible_to_field,
            sha256=stored.sha256,
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            uploaded_by=principal.user_id,
        )
    )
    await session.flush()
    events.record(session, principal, "created", attachment, parent=customer)
    return attachment


async def _check_links(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    """The location and the equipment named in `values`, if any, are this customer's."""
    if values.get("location_id") is not None:
        await locations.require_location(
            session, principal.company_id, values["location_id"], customer_id=customer_id
        )
    if values.get("equipment_id") is not None:
        await equipment.require_equipment(
            session, principal.company_id, values["equipment_id"], customer_id=customer_id
        )


async def update_attachment(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    body: AttachmentUpdate,
    *,
    expected_version: int | None,
) -> Attachment:
    """Change the metadata under the row's lock; a stale `expected_version` is refused
    (412). The location and the equipment are checked as on upload."""
    customer, repository = await _scope(session, principal, customer_id)
    attachment = await repository.get_or_404(attachment_id, for_update=True)
    check_version(attachment.version, expected_version)
    changes: dict[str, Any] = body.changes()
    if "visible_to_field" in changes:
        _check_field_visibility(principal, changes["visible_to_field"])
    await _check_links(session, principal, customer.id, changes)
    before = events.snapshot(attachment)
    for field, value in changes.items():
        setattr(attachment, field, value)
    await session.flush()
    events.record(session, principal, "updated", attachment, before=before, parent=customer)
    return attachment


async def delete_attachment(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    attachment_id: uuid.UUID,
    *,
    store: BlobStore,
    expected_version: int | None,
) -> None:
    """Remove the attachment's row (audited); its content goes after commit when no other
    attachment of the company uses it."""
    customer, repository = await _scope(session, principal, customer_id)
    attachment = await repository.get_or_404(attachment_id, for_update=True)
    check_version(attachment.version, expected_version)
    before = events.snapshot(attachment)
    await repository.delete(attachment)
    await session.flush()
    events.record(
        session, principal, "deleted", attachment, before=before, deleted=True, parent=customer
    )
    BLOBS.remove_after_commit(session, store, principal.company_id, [attachment.sha256])


async def shas_of_customer(
    session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
) -> list[str]:
    """The blobs the customer's attachments reference; read before deleting the customer,
    then passed to `remove_blobs_after_commit` with the deletion."""
    return await attachments.shas_of_customer(session, company_id, customer_id)


def remove_blobs_after_commit(
    session: AsyncSession, store: BlobStore, company_id: uuid.UUID, shas: Iterable[str]
) -> None:
    """Once this session's transaction committed, remove the blobs `shas` that no
    attachment references any more."""
    BLOBS.remove_after_commit(session, store, company_id, shas)
