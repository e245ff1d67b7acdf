from __future__ import annotations

import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Double,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

# What a location is, as the API names it: the fields a create or PATCH writes as given.
LOCATION_FIELDS = (
    "label",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "access_notes",
)
# The billing address fields a location copies from its customer (same names on both).
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


class Location(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A service location of a customer (seed 002): where the work is done, which may not
    be where the bills go. At most one per customer is its primary location. Orders and
    appointments point at it; deleting it clears their link (ON DELETE SET NULL), which the
    service refuses unless asked to detach them."""

    __tablename__ = "location"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        # Both or neither: half a coordinate places nothing.
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates"),
        Index(None, "company_id", "customer_id", "created_at", "id"),
        Index(
            "uq_location_primary",
            "company_id",
            "customer_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    label: Mapped[str | None] = mapped_column(String(100))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    # WGS 84 degrees, as GeoJSON and every map SDK take them.
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    # Gate codes, parking, the dog: what a technician needs to get in.
    access_notes: Mapped[str | None] = mapped_column(Text)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
