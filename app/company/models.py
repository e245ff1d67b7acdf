from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TimestampMixin, VersionedMixin


class Company(IdMixin, TimestampMixin, VersionedMixin, Base):
    """The tenant. Everything else belongs to exactly one company."""

    __tablename__ = "company"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Days from invoice to due date when an invoice gives none.
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
