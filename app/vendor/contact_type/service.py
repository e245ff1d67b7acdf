"""Contact types: the company's categories of vendor contacts (seed 000), managed by admins
(`settings:write`) and read by whoever reads vendors. Names are unique ignoring case. A type
that vendors carry cannot be deleted: a vendor has at least one type, so taking it off
could leave vendors with none; the 409 says how many carry it, so the admin can retype them
first."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.vendor.contact_type.models import ContactType
from app.vendor.contact_type.repository import ContactTypeRepository
from app.vendor.contact_type.schemas import ContactTypeCreate, ContactTypeUpdate

SORT = Sort("position", ContactType.position, ContactType.id)
DUPLICATE = "A contact type with this name already exists (names are unique ignoring case)."


async def list_contact_types(
    session: AsyncSession, principal: Principal, *, params: PageParams, codec: CursorCodec
) -> PageResult[ContactType]:
    """The company's contact types by position."""
    repository = ContactTypeRepository(session, principal.company_id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_contact_type(
    session: AsyncSession, principal: Principal, contact_type_id: uuid.UUID
) -> ContactType:
    return await ContactTypeRepository(session, principal.company_id).get_or_404(contact_type_id)


async def require_contact_types(
    session: AsyncSession,
    company_id: uuid.UUID,
    contact_type_ids: Sequence[uuid.UUID],
    field: str = "contact_type_ids",
) -> list[ContactType]:
    """The company's types with these ids, once each, in the order first named, locked FOR
    KEY SHARE until the transaction ends (so none is deleted under the caller). Refuses (422
    naming `field`) ids that are not this company's types, another company's included."""
    found = await ContactTypeRepository(session, company_id).by_ids_key_share(contact_type_ids)
    unknown = list(dict.fromkeys(str(i) for i in contact_type_ids if i not in found))
    if unknown:
        raise ValidationFailed.field(field, f"unknown contact type(s): {', '.join(unknown)}")
    return [found[i] for i in dict.fromkeys(contact_type_ids)]


async def create_contact_type(
    session: AsyncSession, principal: Principal, body: ContactTypeCreate
) -> ContactType:
    """Add a type, last unless a `position` is given; a taken name is a 409 naming `name`
    (the unique index refuses a concurrent twin with a 409 too)."""
    repository = ContactTypeRepository(session, principal.company_id)
    if await repository.name_taken(body.name):
        raise Conflict(DUPLICATE, field="name")
    position = body.position if body.position is not None else await repository.next_position()
    contact_type = repository.add(ContactType(name=body.name, position=position))
    await session.flush()
    events.record(session, principal, "created", contact_type)
    return contact_type


async def update_contact_type(
    session: AsyncSession,
    principal: Principal,
    contact_type_id: uuid.UUID,
    body: ContactTypeUpdate,
    *,
    expected_version: int | None,
) -> ContactType:
    """Rename or move a type (locked; 412 on a stale If-Match; 409 naming `name`)."""
    repository = ContactTypeRepository(session, principal.company_id)
    contact_type = await repository.get_or_404(contact_type_id, for_update=True)
    check_version(contact_type.version, expected_version)
    before = events.snapshot(contact_type)
    changes = body.changes()
    if "name" in changes:
        if await repository.name_taken(changes["name"], except_id=contact_type.id):
            raise Conflict(DUPLICATE, field="name")
        contact_type.name = changes["name"]
    if "position" in changes:
        contact_type.position = changes["position"]
    await session.flush()
    events.record(session, principal, "updated", contact_type, before=before)
    return contact_type


async def delete_contact_type(
    session: AsyncSession,
    principal: Principal,
    contact_type_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a type that no vendor carries. One in use is a 409 with `vendors_count`. The
    type is locked FOR UPDATE before counting: a vendor being given it meanwhile holds it
    FOR KEY SHARE, so either it committed first and is counted, or it waits and then finds
    the type gone (422)."""
    repository = ContactTypeRepository(session, principal.company_id)
    contact_type = await repository.get_or_404(contact_type_id, for_update=True)
    check_version(contact_type.version, expected_version)
    in_use = await repository.vendors_using(contact_type.id)
    if in_use:
        raise Conflict(
            f"{in_use} vendor(s) have this contact type: give them another type first "
            "(a vendor keeps at least one).",
            vendors_count=in_use,
        )
    before = events.snapshot(contact_type)
    await repository.delete(contact_type)
    await session.flush()
    events.record(session, principal, "deleted", contact_type, before=before, deleted=True)
