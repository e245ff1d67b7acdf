from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TimestampMixin, VersionedMixin


class Company(IdMixin, TimestampMixin, VersionedMixin, Base):
    """The tenant. Everything else belongs to exactly one company."""

    __tablename__ = "company"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
