from __future__ import annotations

import uuid

from sqlalchemy import Integer, String, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
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
    # Equipment warranty expiries (seed 002): notified this many days before, to these users
    # (active users of the company, checked when set; none: the company's admins). An array,
    # not a table: a setting read whole, and the scan joins it to the company's own active
    # users, so an id that stopped being one is ignored.
    warranty_reminder_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    warranty_expiry_recipient_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default=text("'{}'")
    )
