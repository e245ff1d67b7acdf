"""Notes on a record (seed 002), one implementation for every parent: a customer's notes and
an order's notes differ only in the parent they hang off (`NoteParent`). `office` notes stay
in the office, `site` notes are also shown to the crew on site. The author is the calling
user (for an API key, its creator)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer import service as customers
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.kit.repository import ChildRepository
from app.note.repository import (
    CustomerNoteRepository,
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
    repository: type[ChildRepository[Any]]

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


async def _scope(
    session: AsyncSession, principal: Principal, parent: NoteParent, parent_id: uuid.UUID
) -> tuple[Any, ChildRepository[Any]]:
    """The parent (404 when it is not the company's) and a repository of its notes."""
    record = await parent.find(session, principal.company_id, parent_id)
    return record, parent.repository(session, principal.company_id, record.id)


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
    """The parent's notes (newest first by default), of one visibility when asked."""
    _, repository = await _scope(session, principal, parent, parent_id)
    stmt = repository.select()
    if visibility is not None:
        stmt = stmt.where(repository.model.visibility == visibility)
    return await repository.page(stmt, sort=parent.sorts[sort], params=params, codec=codec)


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
    """Add a note written by the caller (an API key writes as its creator)."""
    record, repository = await _scope(session, principal, parent, parent_id)
    note = repository.add(
        repository.model(body=body.body, visibility=body.visibility, author_id=principal.user_id)
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
