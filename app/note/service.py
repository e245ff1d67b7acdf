"""Notes on a customer (seed 002): `office` notes stay in the office, `site` notes are also
shown to the crew on site. The author is the calling user (for an API key, its creator)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer.models import Customer
from app.customer.repository import CustomerRepository
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.note.models import Note
from app.note.repository import NoteRepository
from app.note.schemas import NoteCreate, NoteUpdate

SORTS = {
    "-created_at": Sort("-created_at", Note.created_at, Note.id, descending=True),
    "created_at": Sort("created_at", Note.created_at, Note.id),
}


async def _customer(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> Customer:
    return await CustomerRepository(session, principal.company_id).get_or_404(customer_id)


async def list_notes(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    visibility: str | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Note]:
    """The customer's notes (newest first by default), of one visibility when asked; 404
    when the customer is not the company's."""
    customer = await _customer(session, principal, customer_id)
    repository = NoteRepository(session, principal.company_id, customer.id)
    stmt = repository.select()
    if visibility is not None:
        stmt = stmt.where(Note.visibility == visibility)
    return await repository.page(stmt, sort=SORTS[sort], params=params, codec=codec)


async def get_note(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, note_id: uuid.UUID
) -> Note:
    """One note of the customer; 404 for another customer's note."""
    customer = await _customer(session, principal, customer_id)
    return await NoteRepository(session, principal.company_id, customer.id).get_or_404(note_id)


async def create_note(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, body: NoteCreate
) -> Note:
    """Add a note written by the caller (an API key writes as its creator)."""
    customer = await _customer(session, principal, customer_id)
    repository = NoteRepository(session, principal.company_id, customer.id)
    note = repository.add(
        Note(body=body.body, visibility=body.visibility, author_id=principal.user_id)
    )
    await session.flush()
    events.record(session, principal, "created", note, parent=customer)
    return note


async def update_note(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteUpdate,
    *,
    expected_version: int | None,
) -> Note:
    """Change the body or visibility; the author stays who wrote it."""
    customer = await _customer(session, principal, customer_id)
    repository = NoteRepository(session, principal.company_id, customer.id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    changes = body.changes()
    if "body" in changes:
        note.body = changes["body"]
    if "visibility" in changes:
        note.visibility = changes["visibility"]
    await session.flush()
    events.record(session, principal, "updated", note, before=before, parent=customer)
    return note


async def delete_note(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    note_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    customer = await _customer(session, principal, customer_id)
    repository = NoteRepository(session, principal.company_id, customer.id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    await repository.delete(note)
    await session.flush()
    events.record(session, principal, "deleted", note, before=before, deleted=True, parent=customer)
