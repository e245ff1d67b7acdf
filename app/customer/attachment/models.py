from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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


class Attachment(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A file on a customer (seed 002: pictures, site maps, install manuals, contracts),
    optionally tied to one of its service locations and to one piece of its equipment (an
    install manual, a nameplate photo): a reference to a content-addressed
    blob (sha256) of the company's store (app/storage/files.py). `visible_to_field` says
    whether field staff (callers without `customers:office`) see it. Deleting the location
    or the equipment clears that link; deleting the customer deletes its attachments."""

    __tablename__ = "attachment"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "location_id"],
            ["location.company_id", "location.id"],
            ondelete="SET NULL (location_id)",
        ),
        ForeignKeyConstraint(
            ["company_id", "equipment_id"],
            ["equipment.company_id", "equipment.id"],
            ondelete="SET NULL (equipment_id)",
        ),
        ForeignKeyConstraint(["company_id", "uploaded_by"], ["user.company_id", "user.id"]),
        CheckConstraint("size >= 0", name="size"),
        Index(None, "company_id", "customer_id", "created_at", "id"),
        Index(None, "company_id", "sha256"),
        # What a location's deletion looks up (the SET NULL).
        Index(
            "ix_attachment_company_id_location_id",
            "company_id",
            "location_id",
            postgresql_where=text("location_id IS NOT NULL"),
        ),
        # The equipment filter, and what an equipment's deletion looks up (the SET NULL).
        Index(
            "ix_attachment_company_id_equipment_id",
            "company_id",
            "equipment_id",
            postgresql_where=text("equipment_id IS NOT NULL"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    location_id: Mapped[uuid.UUID | None]
    equipment_id: Mapped[uuid.UUID | None]
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    visible_to_field: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None]
