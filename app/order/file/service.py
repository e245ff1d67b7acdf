"""Files attached to an order (seed 000): uploaded, listed, downloaded, deleted, through the
one upload mechanism of app/storage/files.py (content-addressed blobs, removed with their
last reference after commit; see there)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.event import service as events
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.order.file.models import OrderFile
from app.order.file.repository import BLOBS, OrderFileRepository
from app.order.models import Order
from app.order.repository import OrderRepository
from app.storage.blob import BlobStore
from app.storage.files import Upload

SORT = Sort("-created_at", OrderFile.created_at, OrderFile.id, descending=True)


def blob_key(company_id: uuid.UUID, sha256: str) -> str:
    return BLOBS.key(company_id, sha256)


async def _order(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> Order:
    return await OrderRepository(session, principal.company_id).get_or_404(order_id)


async def list_files(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[OrderFile]:
    """The order's files, newest first; 404 when the order is not the company's."""
    order = await _order(session, principal, order_id)
    repository = OrderFileRepository(session, principal.company_id, order.id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_file(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, file_id: uuid.UUID
) -> OrderFile:
    """One file of the order; 404 for another order's file."""
    order = await _order(session, principal, order_id)
    return await OrderFileRepository(session, principal.company_id, order.id).get_or_404(file_id)


async def create_file(
    session: AsyncSession,
    principal: Principal,
    store: BlobStore,
    order_id: uuid.UUID,
    upload: Upload,
    *,
    max_bytes: int,
) -> OrderFile:
    """Attach an uploaded file to the order: hashed and measured first (413 beyond
    `max_bytes`, and nothing is stored), then its blob written unless the company already
    has it, then the row. The blob's lock is held until the transaction ends."""
    order = await _order(session, principal, order_id)
    stored = await BLOBS.store(session, store, principal.company_id, upload, max_bytes=max_bytes)
    file = OrderFileRepository(session, principal.company_id, order.id).add(
        OrderFile(
            sha256=stored.sha256,
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            uploaded_by=principal.user_id,
        )
    )
    await session.flush()
    await session.refresh(file, ["created_at"])
    events.record(session, principal, "created", file, parent=order)
    return file


async def delete_file(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    file_id: uuid.UUID,
    *,
    store: BlobStore,
) -> None:
    """Remove the file's row (audited); its content goes after commit when no other file
    uses it (`remove_blobs_after_commit`)."""
    order = await _order(session, principal, order_id)
    repository = OrderFileRepository(session, principal.company_id, order.id)
    file = await repository.get_or_404(file_id, for_update=True)
    before = events.snapshot(file)
    await repository.delete(file)
    await session.flush()
    events.record(session, principal, "deleted", file, before=before, deleted=True, parent=order)
    remove_blobs_after_commit(session, store, principal.company_id, [file.sha256])


async def shas_of_order(
    session: AsyncSession, company_id: uuid.UUID, order_id: uuid.UUID
) -> list[str]:
    """The blobs the order's files reference; read before deleting the order, then passed
    to `remove_blobs_after_commit` with the deletion."""
    return await OrderFileRepository(session, company_id, order_id).shas()


def remove_blobs_after_commit(
    session: AsyncSession, store: BlobStore, company_id: uuid.UUID, shas: Iterable[str]
) -> None:
    """Once this session's transaction committed (never if it rolls back), remove the blobs
    `shas` that no order file references any more."""
    BLOBS.remove_after_commit(session, store, company_id, shas)
