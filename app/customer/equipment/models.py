from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    text,
)
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

# What a piece of equipment is, as the API names it: the fields a create or PATCH writes as
# given (the warranty and the custom fields are worked out by the service).
EQUIPMENT_FIELDS = ("type", "manufacturer", "model", "serial_number", "description")


class Equipment(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """Equipment a customer has (seed 002's Equipment tab): sold by the company or tracked
    for a third party, optionally at one of the customer's service locations, with a
    warranty.

    The warranty is `warranty_expires_on`, given as a date or as `warranty_months` from
    `installed_on` (kept only when given that way, so that a new installation date moves
    the expiry). `warranty_remind_on` is the expiry less the company's reminder days (kept
    in step by the service and by a change of the setting): the reminder scan's key.
    `warranty_notified_for` is the expiry date the recipients were notified for: a new
    expiry makes the row pending again, the same one does not."""

    __tablename__ = "equipment"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        # The location is the customer's (the service checks it); deleting it clears the
        # link only.
        ForeignKeyConstraint(
            ["company_id", "location_id"],
            ["location.company_id", "location.id"],
            ondelete="SET NULL (location_id)",
        ),
        # Who sold or services it (issue 17's vendors); deleting the vendor clears the link.
        ForeignKeyConstraint(
            ["company_id", "vendor_id"],
            ["vendor.company_id", "vendor.id"],
            ondelete="SET NULL (vendor_id)",
        ),
        CheckConstraint("warranty_months BETWEEN 1 AND 1200", name="warranty_months"),
        CheckConstraint(
            "warranty_months IS NULL OR (installed_on IS NOT NULL "
            "AND warranty_expires_on IS NOT NULL)",
            name="warranty_from_installation",
        ),
        CheckConstraint(
            "(warranty_expires_on IS NULL) = (warranty_remind_on IS NULL)", name="warranty_remind"
        ),
        Index(None, "company_id", "customer_id", "created_at", "id"),
        # What a location's deletion looks up (its count, the SET NULL), and the list filter.
        Index(
            "ix_equipment_company_id_location_id",
            "company_id",
            "location_id",
            postgresql_where=text("location_id IS NOT NULL"),
        ),
        # The list filter, and what a vendor's deletion looks up (the SET NULL).
        Index(
            "ix_equipment_company_id_vendor_id",
            "company_id",
            "vendor_id",
            postgresql_where=text("vendor_id IS NOT NULL"),
        ),
        # The scan's candidates: only warranties whose expiry was not notified yet are in
        # it, so its cost follows the number pending, not the table size.
        Index(
            "ix_equipment_warranty_pending",
            "warranty_remind_on",
            postgresql_where=text(
                "warranty_remind_on IS NOT NULL "
                "AND warranty_notified_for IS DISTINCT FROM warranty_expires_on"
            ),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    location_id: Mapped[uuid.UUID | None]
    vendor_id: Mapped[uuid.UUID | None]
    type: Mapped[str] = mapped_column(String(100))
    manufacturer: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    installed_on: Mapped[date | None] = mapped_column(Date)
    warranty_months: Mapped[int | None] = mapped_column(SmallInteger)
    warranty_expires_on: Mapped[date | None] = mapped_column(Date)
    warranty_remind_on: Mapped[date | None] = mapped_column(Date)
    warranty_notified_for: Mapped[date | None] = mapped_column(Date)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
