"""Notes on a record (seed 002), one implementation for every parent: a customer's notes and
an order's notes differ only in the parent they hang off (`NoteParent`). `office` notes stay
in the office, `site` notes are also shown to the crew on site. The author is the calling
user (for an API key, its creator).

What field staff see (seed 002): a caller without `customers:office` sees site notes only,
on customers and orders alike: an office note is missing from its lists and a 404 by id
(the repositories filter it, so no route can forget). Such a caller writes site notes (the
default for them) and cannot make a note office-only (403 naming `customers:office`), which
would hide it from themselves."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Principal
from app.customer import service as customers
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.note.repository import (
    CustomerNoteRepository,
    NotesRepository,
    OrderNoteRepository,
    VendorNoteRepository,
)
from app.note.schemas import NoteCreate, NoteUpdate
from app.order import service as orders
from app.vendor import service as vendors


@dataclass(frozen=True)
class NoteParent:
    """What a kind of parent record brings to its notes: how to find the parent (404 when it
    is not the company's) and the repository of one parent's notes."""

    find: Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[Any]]
    repository: type[NotesRepository[Any]]

    @property
    def sorts(self) -> dict[str, Sort]:
        model = self.repository.model
        return {
            "-created_at": Sort("-created_at", model.created_at, model.id, descending=True),
            "created_at": Sort("created_at", model.created_at, model.id),
        }


CUSTOMER = NoteParent(find=customers.customer_or_404, repository=CustomerNoteRepository)
ORDER = NoteParent(find=orders.order_or_404, repository=OrderNoteRepository)
VENDOR = NoteParent(find=vendors.vendor_or_404, repository=VendorNoteRepository)


def sees_office(principal: Principal) -> bool:
    """Whether the caller sees office-only notes and attachments (`customers:office`)."""
    return permissions.allows(principal, permissions.CUSTOMERS_OFFICE)


def _check_visibility(principal: Principal, visibility: str) -> None:
    if visibility == "office":
        permissions.require(principal, permissions.CUSTOMERS_OFFICE)


async def _scope(
    session: AsyncSession, principal: Principal, parent: NoteParent, parent_id: uuid.UUID
) -> tuple[Any, NotesRepository[Any]]:
    """The parent (404 when it is not the company's) and a repository of the notes of it
    that the caller may see."""
    record = await parent.find(session, principal.company_id, parent_id)
    repository = parent.repository(
        session, principal.company_id, record.id, office=sees_office(principal)
    )
    return record, repository


async def list_notes(
    session: AsyncSession,
    principal: Principal,
    parent: NoteParent,
    parent_id: uuid.UUID,
    *,
    visibility: str | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Any]:
    """The parent's notes the caller may see (newest first by default), of one visibility
    when asked."""
    _, repository = await _scope(session, principal, parent, parent_id)
    stmt = repository.select()
    if visibility is not None:
        stmt = stmt.where(repository.model.visibility == visibility)
    return await repository.page(stmt, sort=parent.sorts[sort], params=params, codec=codec)


async def list_customer_and_order_notes(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    visibility: str | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Any]:
    """The customer's notes and its orders' (seed 002's combined notes list) that the caller
    may see, in one keyset order: rows whose `order_id` says which order a note is on (null
    for the customer's own). Order notes need `orders:read` (403 naming it)."""
    permissions.require(principal, permissions.ORDERS_READ)
    _, repository = await _scope(session, principal, CUSTOMER, customer_id)
    assert isinstance(repository, CustomerNoteRepository)
    stmt = repository.with_orders()
    combined = stmt.selected_columns
    if visibility is not None:
        stmt = stmt.where(combined.visibility == visibility)
    # The sort's columns are the union's, which page as the model's would.
    key: Any = combined.created_at
    row_id: Any = combined.id
    order = Sort(f"orders:{sort}", key, row_id, descending=sort.startswith("-"))
    return await repository.page_rows(stmt, sort=order, params=params, codec=codec)


async def get_note(
    session: AsyncSession,
    principal: Principal,
    parent: NoteParent,
    parent_id: uuid.UUID,
    note_id: uuid.UUID,
) -> Any:
    """One note of the parent; 404 for another parent's note."""
    _, repository = await _scope(session, principal, parent, parent_id)
    return await repository.get_or_404(note_id)


async def create_note(
    session: AsyncSession,
    principal: Principal,
    parent: NoteParent,
    parent_id: uuid.UUID,
    body: NoteCreate,
) -> Any:
    """Add a note written by the caller (an API key writes as its creator): office-only
    unless it says `site`, or site unless the caller sees office notes; an office note
    needs `customers:office` (403)."""
    record, repository = await _scope(session, principal, parent, parent_id)
    visibility = body.visibility or ("office" if sees_office(principal) else "site")
    _check_visibility(principal, visibility)
    note = repository.add(
        repository.model(body=body.body, visibility=visibility, author_id=principal.user_id)
    )
    await session.flush()
    events.record(session, principal, "created", note, parent=record)
    return note


async def update_note(
    session: AsyncSession,
    principal: Principal,
    parent: NoteParent,
    parent_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteUpdate,
    *,
    expected_version: int | None,
) -> Any:
    """Change the body or visibility under the note's row lock; the author stays who wrote
    it. A stale `expected_version` is refused (412)."""
    record, repository = await _scope(session, principal, parent, parent_id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    changes = body.changes()
    if "body" in changes:
        note.body = changes["body"]
    if "visibility" in changes:
        _check_visibility(principal, changes["visibility"])
        note.visibility = changes["visibility"]
    await session.flush()
    events.record(session, principal, "updated", note, before=before, parent=record)
    return note


async def delete_note(
    session: AsyncSession,
    principal: Principal,
    parent: NoteParent,
    parent_id: uuid.UUID,
    note_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete the note for good, audited with what it said."""
    record, repository = await _scope(session, principal, parent, parent_id)
    note = await repository.get_or_404(note_id, for_update=True)
    check_version(note.version, expected_version)
    before = events.snapshot(note)
    await repository.delete(note)
    await session.flush()
    events.record(session, principal, "deleted", note, before=before, deleted=True, parent=record)
