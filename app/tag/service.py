"""Tags: the company's vocabulary for labelling customers (seed 002). Names are unique in
the company ignoring case; deleting a tag takes it off every customer (FK cascade)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.tag.models import Tag
from app.tag.repository import TagRepository
from app.tag.schemas import TagCreate, TagUpdate

SORT = Sort("name", Tag.name, Tag.id)
DUPLICATE = "A tag with this name already exists (names are unique ignoring case)."


def _like_pattern(text: str) -> str:
    """`text` as a literal substring for ILIKE ... ESCAPE '\\'."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_tags(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Tag]:
    """The company's tags by name; `q` keeps those whose name contains it, ignoring case."""
    repository = TagRepository(session, principal.company_id)
    stmt = repository.select()
    if q:
        stmt = stmt.where(Tag.name.ilike(_like_pattern(q), escape="\\"))
    return await repository.page(stmt, sort=SORT, params=params, codec=codec)


async def get_tag(session: AsyncSession, principal: Principal, tag_id: uuid.UUID) -> Tag:
    return await TagRepository(session, principal.company_id).get_or_404(tag_id)


async def require_tags(
    session: AsyncSession,
    company_id: uuid.UUID,
    tag_ids: Sequence[uuid.UUID],
    field: str = "tag_ids",
) -> list[Tag]:
    """The company's tags with these ids, once each, in the order first named. Refuses
    (422 naming `field`) ids that are not tags of this company, another company's included."""
    found = await TagRepository(session, company_id).by_ids(tag_ids)
    unknown = list(dict.fromkeys(str(i) for i in tag_ids if i not in found))
    if unknown:
        raise ValidationFailed.field(field, f"unknown tag(s): {', '.join(unknown)}")
    return [found[i] for i in dict.fromkeys(tag_ids)]


async def create_tag(session: AsyncSession, principal: Principal, body: TagCreate) -> Tag:
    """Create a tag; its name is unique in the company ignoring case (409)."""
    repository = TagRepository(session, principal.company_id)
    if await repository.name_taken(body.name):
        raise Conflict(DUPLICATE, field="name")
    tag = repository.add(Tag(name=body.name, color=body.color))
    await session.flush()
    events.record(session, principal, "created", tag)
    return tag


async def update_tag(
    session: AsyncSession,
    principal: Principal,
    tag_id: uuid.UUID,
    body: TagUpdate,
    *,
    expected_version: int | None,
) -> Tag:
    """Rename or recolour a tag (locked; 412 on a stale If-Match, 409 on a taken name)."""
    repository = TagRepository(session, principal.company_id)
    tag = await repository.get_or_404(tag_id, for_update=True)
    check_version(tag.version, expected_version)
    before = events.snapshot(tag)
    changes = body.changes()
    if "name" in changes:
        if await repository.name_taken(changes["name"], except_id=tag.id):
            raise Conflict(DUPLICATE, field="name")
        tag.name = changes["name"]
    if "color" in changes:
        tag.color = changes["color"]
    await session.flush()
    events.record(session, principal, "updated", tag, before=before)
    return tag


async def delete_tag(
    session: AsyncSession,
    principal: Principal,
    tag_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a tag; the database takes it off every customer (ON DELETE CASCADE)."""
    repository = TagRepository(session, principal.company_id)
    tag = await repository.get_or_404(tag_id, for_update=True)
    check_version(tag.version, expected_version)
    before = events.snapshot(tag)
    await repository.delete(tag)
    await session.flush()
    events.record(session, principal, "deleted", tag, before=before, deleted=True)
