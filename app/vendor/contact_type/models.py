from __future__ import annotations

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class ContactType(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A category of vendor contacts (seed 000: "Settings -> Contact Types", admin access).
    Names are unique in the company ignoring case; lists are ordered by `position`. A type
    that vendors carry cannot be deleted (the link's foreign key refuses it too)."""

    __tablename__ = "contact_type"
    __table_args__ = tenant_table_args(
        Index(
            "uq_contact_type_company_id_lower_name", "company_id", text("lower(name)"), unique=True
        ),
        Index(None, "company_id", "position", "id"),
    )

    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
