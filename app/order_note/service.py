"""Notes on an order, as on a customer (app.note): `office` notes stay in the office,
`site` notes are also shown to the crew on site. The author is the calling user (for an
API key, its creator)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.note.schemas import NoteCreate, NoteUpdate
from app.order.models import Order, OrderNote
from app.order.repository import OrderRepository
from app.order_note.repository import OrderNoteRepository

SORTS = {
    "-created_at": Sort("-created_at", OrderNote.created_at, OrderNote.id, descending=True),
    "created_at": Sort("created_at", OrderNote.created_at, OrderNote.id),
}


async def _scope(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> tuple[Order, OrderNoteRepository]:
    """The order (404 when it is not the company's) and a repository of its notes."""
    order = await OrderRepository(session, principal.company_id).get_or_404(order_id)
    return order, OrderNoteRepository(session, principal.company_id, order.id)


async def list_notes(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    *,
    visibility: str | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[OrderNote]:
    """The order's notes (newest first by default), of one visibility when asked."""
    _, repository = await _scope(session, principal, order_id)
    stmt = repository.select()
    if visibility is not None:
        stmt = stmt.where(OrderNote.visibility == visibility)
    return await repository.page(stmt, sort=SORTS[sort], params=params, codec=codec)


async def get_note(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, note_id: uuid.UUID
) -> OrderNote:
    """One note of the order; 404 for another order's note."""
    _, repository = await _scope(session, principal, order_id)
    return await repository.get_or_404(note_id)


async def create_note(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: NoteCreate
) -> OrderNote:
    """Add a note written by the caller (an API key writes as its creator)."""
    order, repository = await _scope(session, principal, order_id)
    note = repository.add(
        OrderNote(body=body.body, visibility=body.visibility, author_id=principal.user_id)
    )
    await session.flush()
    events.record(session, principal, "created", note, parent=order)
    return note


async def update_note(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteUpdate,
    *,
    expected_version: int | None,
) -> OrderNote:
    """Change the body or visibility; the author stays who wrote it."""
    order, repository = await _scope(session, principal, order_id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    changes = body.changes()
    if "body" in changes:
        note.body = changes["body"]
    if "visibility" in changes:
        note.visibility = changes["visibility"]
    await session.flush()
    events.record(session, principal, "updated", note, before=before, parent=order)
    return note


async def delete_note(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    note_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    order, repository = await _scope(session, principal, order_id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    await repository.delete(note)
    await session.flush()
    events.record(session, principal, "deleted", note, before=before, deleted=True, parent=order)
