from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ScalarSelect, Select, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import Sort
from app.kit.repository import LIKE_ESCAPE, TenantRepository, like_pattern
from app.tag.models import Tag
from app.vendor.contact_type.models import ContactType
from app.vendor.models import Vendor, VendorContactType, VendorTag

SORTS = {
    "name": Sort("name", Vendor.name, Vendor.id),
    "-name": Sort("-name", Vendor.name, Vendor.id, descending=True),
    "created_at": Sort("created_at", Vendor.created_at, Vendor.id),
    "-created_at": Sort("-created_at", Vendor.created_at, Vendor.id, descending=True),
}


def _json_array(item: Any, order: Any) -> Any:
    return func.coalesce(
        func.json_agg(aggregate_order_by(item, *order)), literal_column("'[]'::json")
    )


def tags_column() -> ScalarSelect[Any]:
    """The tags of each `Vendor` row of a query as a JSON array by name (correlated)."""
    tag = func.json_build_object("id", Tag.id, "name", Tag.name, "color", Tag.color)
    return (
        select(_json_array(tag, (Tag.name, Tag.id)))
        .select_from(VendorTag)
        .join(Tag, (Tag.id == VendorTag.tag_id) & (Tag.company_id == VendorTag.company_id))
        .where(VendorTag.company_id == Vendor.company_id, VendorTag.vendor_id == Vendor.id)
        .scalar_subquery()
    )


def contact_types_column() -> ScalarSelect[Any]:
    """The contact types of each `Vendor` row as a JSON array by position (correlated)."""
    item = func.json_build_object("id", ContactType.id, "name", ContactType.name)
    return (
        select(_json_array(item, (ContactType.position, ContactType.id)))
        .select_from(VendorContactType)
        .join(
            ContactType,
            (ContactType.id == VendorContactType.contact_type_id)
            & (ContactType.company_id == VendorContactType.company_id),
        )
        .where(
            VendorContactType.company_id == Vendor.company_id,
            VendorContactType.vendor_id == Vendor.id,
        )
        .scalar_subquery()
    )


class VendorRepository(TenantRepository[Vendor]):
    model = Vendor
    label = "Vendor"

    def rows(self) -> Select[Any]:
        """The company's vendors, each with its tags and contact types (one statement)."""
        return select(
            Vendor,
            tags_column().label("tags"),
            contact_types_column().label("contact_types"),
        ).where(Vendor.company_id == self.company_id)

    async def row(self, vendor_id: uuid.UUID) -> Any:
        """(vendor, tags, contact_types) or None."""
        return (await self.session.execute(self.rows().where(Vendor.id == vendor_id))).first()

    def filtered(
        self,
        *,
        q: str | None,
        contact_type_ids: Sequence[uuid.UUID],
        tag_ids: Sequence[uuid.UUID],
    ) -> Select[Any]:
        """`rows()` narrowed: `q` a substring of the search text (the trigram index serves
        `LIKE '%q%'`), any of the contact types, any of the tags."""
        stmt = self.rows()
        if q:
            stmt = stmt.where(Vendor.search_text.like(like_pattern(q.lower()), escape=LIKE_ESCAPE))
        if contact_type_ids:
            stmt = stmt.where(
                select(VendorContactType.vendor_id)
                .where(
                    VendorContactType.company_id == Vendor.company_id,
                    VendorContactType.vendor_id == Vendor.id,
                    VendorContactType.contact_type_id.in_(list(contact_type_ids)),
                )
                .exists()
            )
        if tag_ids:
            stmt = stmt.where(
                select(VendorTag.vendor_id)
                .where(
                    VendorTag.company_id == Vendor.company_id,
                    VendorTag.vendor_id == Vendor.id,
                    VendorTag.tag_id.in_(list(tag_ids)),
                )
                .exists()
            )
        return stmt


class VendorLinkRepository:
    """A vendor's tags and contact types: the link rows, replaced as a whole."""

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    async def tag_ids(self, vendor_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(VendorTag.tag_id)
            .where(VendorTag.company_id == self.company_id, VendorTag.vendor_id == vendor_id)
            .order_by(VendorTag.tag_id)
        )
        return list(rows)

    async def contact_type_ids(self, vendor_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(VendorContactType.contact_type_id)
            .where(
                VendorContactType.company_id == self.company_id,
                VendorContactType.vendor_id == vendor_id,
            )
            .order_by(VendorContactType.contact_type_id)
        )
        return list(rows)

    async def set_tags(self, vendor_id: uuid.UUID, tag_ids: Iterable[uuid.UUID]) -> None:
        await self.session.execute(
            delete(VendorTag).where(
                VendorTag.company_id == self.company_id, VendorTag.vendor_id == vendor_id
            )
        )
        rows = [
            {"company_id": self.company_id, "vendor_id": vendor_id, "tag_id": t}
            for t in sorted(set(tag_ids))
        ]
        if rows:
            await self.session.execute(pg_insert(VendorTag).values(rows).on_conflict_do_nothing())

    async def set_contact_types(
        self, vendor_id: uuid.UUID, contact_type_ids: Iterable[uuid.UUID]
    ) -> None:
        await self.session.execute(
            delete(VendorContactType).where(
                VendorContactType.company_id == self.company_id,
                VendorContactType.vendor_id == vendor_id,
            )
        )
        rows = [
            {"company_id": self.company_id, "vendor_id": vendor_id, "contact_type_id": t}
            for t in sorted(set(contact_type_ids))
        ]
        if rows:
            await self.session.execute(
                pg_insert(VendorContactType).values(rows).on_conflict_do_nothing()
            )
