"""Vendors (seed 000's "contacts"): outside companies or people the company works with.
Each has one or more contact types, tags, custom fields (entity `vendor`) and notes
(app.note). Edits are inline (PATCH of the fields sent) under the row lock, with If-Match."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.custom_field import service as custom_fields
from app.errors import NotFound
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult
from app.tag import service as tags
from app.vendor.contact_type import service as contact_types
from app.vendor.models import RECORD_FIELDS, Vendor
from app.vendor.repository import SORTS, VendorLinkRepository, VendorRepository
from app.vendor.schemas import VendorCreate, VendorUpdate

ENTITY = "vendor"


@dataclass(frozen=True)
class VendorFilters:
    q: str | None = None
    contact_type_ids: Sequence[uuid.UUID] = ()
    tag_ids: Sequence[uuid.UUID] = ()


def _links(tag_ids: Sequence[uuid.UUID], type_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    """What an audit snapshot keeps of a vendor's links."""
    return {
        "tag_ids": sorted(str(i) for i in tag_ids),
        "contact_type_ids": sorted(str(i) for i in type_ids),
    }


async def _row(session: AsyncSession, company_id: uuid.UUID, vendor_id: uuid.UUID) -> Any:
    row = await VendorRepository(session, company_id).row(vendor_id)
    if row is None:
        raise NotFound(f"Vendor {vendor_id} not found.")
    return row


async def create_vendor(session: AsyncSession, principal: Principal, body: VendorCreate) -> Any:
    """Create a vendor with its contact types (at least one; unknown ids are a 422 naming
    `contact_type_ids`, and the types are held FOR KEY SHARE so none is deleted meanwhile),
    tags (422 naming `tag_ids`) and custom fields (422 naming `custom_fields.<key>`).
    Returns the vendor's row (vendor, tags, contact types)."""
    company_id = principal.company_id
    type_list = await contact_types.require_contact_types(
        session, company_id, body.contact_type_ids
    )
    tag_list = await tags.require_tags(session, company_id, body.tag_ids)
    values = await custom_fields.validate_values(session, company_id, ENTITY, body.custom_fields)
    vendor = Vendor(
        custom_fields=values, **{field: getattr(body, field) for field in RECORD_FIELDS}
    )
    if vendor.email:
        vendor.email = vendor.email.lower()
    VendorRepository(session, company_id).add(vendor)
    await session.flush()
    links = VendorLinkRepository(session, company_id)
    await links.set_contact_types(vendor.id, [t.id for t in type_list])
    await links.set_tags(vendor.id, [t.id for t in tag_list])
    events.record(
        session,
        principal,
        "created",
        vendor,
        **_links([t.id for t in tag_list], [t.id for t in type_list]),
    )
    return await _row(session, company_id, vendor.id)


async def get_vendor(session: AsyncSession, principal: Principal, vendor_id: uuid.UUID) -> Any:
    """The vendor's row (vendor, tags, contact types); 404 when it is not the company's."""
    return await _row(session, principal.company_id, vendor_id)


async def update_vendor(
    session: AsyncSession,
    principal: Principal,
    vendor_id: uuid.UUID,
    body: VendorUpdate,
    *,
    expected_version: int | None,
) -> Any:
    """Change only the fields sent, under the vendor's row lock (412 on a stale If-Match).
    Custom fields merge into the current values; `tag_ids` and `contact_type_ids` replace
    the vendor's, and give it a new version (ETag) like any other change."""
    company_id = principal.company_id
    repository = VendorRepository(session, company_id)
    vendor = await repository.get_or_404(vendor_id, for_update=True)
    check_version(vendor.version, expected_version)
    links = VendorLinkRepository(session, company_id)
    tag_ids = await links.tag_ids(vendor.id)
    type_ids = await links.contact_type_ids(vendor.id)
    before = events.snapshot(vendor, **_links(tag_ids, type_ids))
    changes = body.changes()
    for field in RECORD_FIELDS:
        if field in changes:
            setattr(vendor, field, changes[field])
    if "email" in changes and vendor.email:
        vendor.email = vendor.email.lower()
    if "custom_fields" in changes:
        vendor.custom_fields = await custom_fields.validate_values(
            session, company_id, ENTITY, changes["custom_fields"], current=vendor.custom_fields
        )
    if "contact_type_ids" in changes:
        type_list = await contact_types.require_contact_types(
            session, company_id, changes["contact_type_ids"]
        )
        type_ids = [t.id for t in type_list]
        await links.set_contact_types(vendor.id, type_ids)
    if "tag_ids" in changes:
        tag_ids = [t.id for t in await tags.require_tags(session, company_id, changes["tag_ids"])]
        await links.set_tags(vendor.id, tag_ids)
    if "contact_type_ids" in changes or "tag_ids" in changes:
        vendor.updated_at = datetime.now(UTC)  # the links are part of the record: new ETag
    await session.flush()
    events.record(session, principal, "updated", vendor, before=before, **_links(tag_ids, type_ids))
    return await _row(session, company_id, vendor.id)


async def delete_vendor(
    session: AsyncSession,
    principal: Principal,
    vendor_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a vendor; its tags, contact types and notes go with it (FK cascades). The
    audit event keeps a snapshot of the record and its links."""
    repository = VendorRepository(session, principal.company_id)
    vendor = await repository.get_or_404(vendor_id, for_update=True)
    check_version(vendor.version, expected_version)
    links = VendorLinkRepository(session, principal.company_id)
    before = events.snapshot(
        vendor, **_links(await links.tag_ids(vendor.id), await links.contact_type_ids(vendor.id))
    )
    await repository.delete(vendor)
    await session.flush()
    events.record(session, principal, "deleted", vendor, before=before, deleted=True)


async def list_vendors(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: VendorFilters,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Any]:
    """One page of rows (vendor, tags, contact types) in keyset order, one statement
    whatever the page size."""
    repository = VendorRepository(session, principal.company_id)
    stmt = repository.filtered(
        q=filters.q, contact_type_ids=filters.contact_type_ids, tag_ids=filters.tag_ids
    )
    return await repository.page_rows(stmt, sort=SORTS[sort], params=params, codec=codec)


async def vendor_or_404(
    session: AsyncSession, company_id: uuid.UUID, vendor_id: uuid.UUID
) -> Vendor:
    """The company's vendor row, for another domain that hangs something off it (notes);
    404 when it is missing or another company's."""
    return await VendorRepository(session, company_id).get_or_404(vendor_id)
