from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class InvoiceItem(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """An entry of the company's catalog. Order lines copy its SKU, name and unit amount
    when they are added, so editing or archiving it never rewrites an old order."""

    __tablename__ = "invoice_item"
    __table_args__ = tenant_table_args(
        UniqueConstraint("company_id", "sku"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
    )

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    unit_amount: Mapped[int] = mapped_column(BigInteger)  # minor units
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
