from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKeyConstraint, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class CustomerReminder(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A reminder on a customer for one office user (seed 002's Reminders tab): on `due_on`,
    in the company's timezone, the reminder scan (workers/reminders.py) notifies the user
    and sets `notified_at`. Moving the date or the user clears it, so the reminder fires
    again."""

    __tablename__ = "customer_reminder"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "assigned_user_id"],
            ["user.company_id", "user.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["company_id", "created_by"], ["user.company_id", "user.id"]),
        Index(None, "company_id", "customer_id", "due_on", "id"),
        Index(None, "company_id", "customer_id", "created_at", "id"),
        Index(None, "company_id", "assigned_user_id"),
        # The scan's candidates: only reminders still to notify are in it, so its cost
        # follows the number pending, not the table size.
        Index(
            "ix_customer_reminder_pending",
            "due_on",
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    assigned_user_id: Mapped[uuid.UUID]
    due_on: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None]
    notified_at: Mapped[datetime | None]
