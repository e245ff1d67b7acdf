from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TenantMixin, tenant_table_args
from app.order.models import order_fk, user_fk


class OrderFile(IdMixin, TenantMixin, Base):
    """A file attached to an order: a reference to a content-addressed blob (sha256) of the
    company's store. Several references may share a blob; it is removed with the last."""

    __tablename__ = "order_file"
    __table_args__ = tenant_table_args(
        order_fk(),
        user_fk("uploaded_by"),
        CheckConstraint("size >= 0", name="size"),
        Index(None, "company_id", "order_id", "created_at"),
        Index(None, "company_id", "sha256"),
    )

    order_id: Mapped[uuid.UUID]
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
