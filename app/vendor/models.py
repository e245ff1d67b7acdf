from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Computed, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

# The vendor's own fields as the API names them: what a create or PATCH writes as given,
# and what its read model shows besides tags, contact types and custom fields.
RECORD_FIELDS = (
    "name",
    "contact_person",
    "email",
    "phone",
    "alt_phone",
    "website",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
ROW_FIELDS = ("id", *RECORD_FIELDS, "custom_fields", "created_at", "updated_at")


class Vendor(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """An outside company or person the company works with (seed 000 calls them
    "contacts"; they are not a customer's contact people). It carries one or more contact
    types, tags, custom fields (entity `vendor`) and notes."""

    __tablename__ = "vendor"
    __table_args__ = tenant_table_args(
        Index(None, "company_id", "name", "id"),
        Index(None, "company_id", "created_at", "id"),
        Index(
            "ix_vendor_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    alt_phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    website: Mapped[str | None] = mapped_column(String(2000))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # What `q` searches, in one trigram index, as for customers.
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed(
            "lower(name || ' ' || coalesce(contact_person, '') || ' ' || coalesce(email, '') "
            "|| ' ' || coalesce(phone, '') || ' ' || coalesce(alt_phone, '') || ' ' "
            "|| coalesce(website, '') || ' ' || coalesce(city, ''))",
            persisted=True,
        ),
    )


class VendorTag(Base):
    """A tag on a vendor (the company's one tag vocabulary, app.tag); both keys carry
    company_id, so tags never cross companies. Deleting the tag takes it off the vendor."""

    __tablename__ = "vendor_tag"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "vendor_id"], ["vendor.company_id", "vendor.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["company_id", "tag_id"], ["tag.company_id", "tag.id"], ondelete="CASCADE"
        ),
        Index(None, "company_id", "tag_id", "vendor_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tag_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class VendorContactType(Base):
    """A contact type of a vendor. The type's side has no cascade: a type in use cannot be
    deleted (the service says how many vendors carry it; the key refuses a race)."""

    __tablename__ = "vendor_contact_type"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "vendor_id"], ["vendor.company_id", "vendor.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["company_id", "contact_type_id"], ["contact_type.company_id", "contact_type.id"]
        ),
        Index(None, "company_id", "contact_type_id", "vendor_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contact_type_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
