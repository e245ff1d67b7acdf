from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class Contact(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A person at a customer (seed 004); one of them is the primary contact."""

    __tablename__ = "contact"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        Index(None, "company_id", "customer_id", "created_at", "id"),
        Index(
            "uq_contact_primary",
            "company_id",
            "customer_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    title: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
