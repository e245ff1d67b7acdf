from __future__ import annotations

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class Tag(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """The company's tag vocabulary (seed 002). Names are unique ignoring case."""

    __tablename__ = "tag"
    __table_args__ = tenant_table_args(
        Index("uq_tag_company_id_lower_name", "company_id", text("lower(name)"), unique=True),
    )

    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(7))  # "#RRGGBB"
