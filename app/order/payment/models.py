from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TenantMixin, tenant_table_args
from app.order.models import order_fk, user_fk

PAYMENT_METHODS = ("cash", "check", "card", "bank_transfer", "other")


class Payment(IdMixin, TenantMixin, Base):
    """Money received against an order. Immutable: a wrong payment is deleted and recorded
    again, and both are audited."""

    __tablename__ = "payment"
    __table_args__ = tenant_table_args(
        order_fk(),
        user_fk("recorded_by"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint(f"method IN {PAYMENT_METHODS!r}", name="method"),
        Index(None, "company_id", "order_id", "paid_on"),
        Index(None, "company_id", "paid_on"),
    )

    order_id: Mapped[uuid.UUID]
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
