from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class Group(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A named set of permissions; a user has the union of their groups'."""

    __tablename__ = "group"
    __table_args__ = tenant_table_args(UniqueConstraint("company_id", "name"))

    name: Mapped[str] = mapped_column(String(100))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
