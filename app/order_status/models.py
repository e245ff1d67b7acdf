from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

# quote: an estimate not yet accepted; open: work to do; done: finished; lost: not won.
STAGES = ("quote", "open", "done", "lost")


class OrderStatus(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A step of the company's order pipeline (seed 000): New, Quoted, Sold, Installed, Lost.

    `counts_as_sold` marks the statuses the sold ratio counts; exactly one status is the
    default for new orders, which a partial unique index enforces.
    """

    __tablename__ = "order_status"
    __table_args__ = tenant_table_args(
        UniqueConstraint("company_id", "name"),
        CheckConstraint(f"stage IN {STAGES!r}", name="stage"),
        Index(
            "uq_order_status_company_id_default",
            "company_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        Index(None, "company_id", "position"),
    )

    name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7), default="#9e9e9e")  # #rrggbb
    position: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(10))
    counts_as_sold: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
