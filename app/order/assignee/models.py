from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, VersionedMixin
from app.order.models import order_fk, user_fk

ASSIGNEE_ROLES = ("salesperson", "installer", "other")


class OrderAssignee(VersionedMixin, Base):
    """A user associated with an order in a role (seed 000's user order associations). Its
    version is its ETag: a role change or removal may name the version it was made against."""

    __tablename__ = "order_assignee"
    __table_args__ = (
        order_fk(),
        user_fk("user_id", "CASCADE"),
        CheckConstraint(f"role IN {ASSIGNEE_ROLES!r}", name="role"),
        Index(None, "company_id", "user_id", "order_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
