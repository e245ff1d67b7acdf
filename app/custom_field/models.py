from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text, UniqueConstraint
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

CUSTOM_FIELD_ENTITIES = ("customer", "order", "equipment", "vendor")
CUSTOM_FIELD_TYPES = ("text", "number", "date", "boolean", "select")


class CustomField(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A company-defined field on an entity; values live in that entity's `custom_fields`
    JSONB, keyed by `key`, and are validated against this definition."""

    __tablename__ = "custom_field"
    __table_args__ = tenant_table_args(
        UniqueConstraint("company_id", "entity", "key"),
        CheckConstraint(f"entity IN {CUSTOM_FIELD_ENTITIES!r}", name="entity"),
        CheckConstraint(f"type IN {CUSTOM_FIELD_TYPES!r}", name="type"),
    )

    entity: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
