from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)
from app.order.models import order_fk


class OrderLine(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A line item. From the catalog, SKU, name and unit amount are copied when added."""

    __tablename__ = "order_line"
    __table_args__ = tenant_table_args(
        order_fk(),
        ForeignKeyConstraint(
            ["company_id", "invoice_item_id"],
            ["invoice_item.company_id", "invoice_item.id"],
            ondelete="SET NULL (invoice_item_id)",
        ),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
        Index(None, "company_id", "order_id", "position"),
        Index(None, "company_id", "invoice_item_id"),
    )

    order_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    invoice_item_id: Mapped[uuid.UUID | None]
    sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    line_total: Mapped[int] = mapped_column(BigInteger)  # app.order.money.line_total
