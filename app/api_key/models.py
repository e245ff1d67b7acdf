from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, Text
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


class ApiKey(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """An integration's credential. Only `prefix` is ever shown again after creation."""

    __tablename__ = "api_key"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "created_by_id"],
            ["user.company_id", "user.id"],
            ondelete="CASCADE",
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), info={"secret": True})
    permissions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    created_by_id: Mapped[uuid.UUID] = mapped_column(index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
