from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)
from app.order.models import order_fk, user_fk


class ChecklistItem(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "checklist_item"
    __table_args__ = tenant_table_args(
        order_fk(),
        user_fk("done_by"),
        CheckConstraint("(is_done) = (done_at IS NOT NULL)", name="done_at"),
        Index(None, "company_id", "order_id", "position"),
    )

    order_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_by: Mapped[uuid.UUID | None]
    done_at: Mapped[datetime | None]
