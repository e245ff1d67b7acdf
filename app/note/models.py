from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

NOTE_VISIBILITIES = ("office", "site")


class Note(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A note on a customer: `office` notes stay in the office, `site` notes go to the crew
    on site (seed 002)."""

    __tablename__ = "note"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["company_id", "author_id"], ["user.company_id", "user.id"]),
        CheckConstraint(f"visibility IN {NOTE_VISIBILITIES!r}", name="visibility"),
        Index(None, "company_id", "customer_id", "created_at", "id"),
    )

    customer_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default="office")
    author_id: Mapped[uuid.UUID | None]
