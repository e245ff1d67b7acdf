from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKeyConstraint, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TenantMixin, tenant_table_args

NOTIFICATION_KINDS = (
    "order_reminder",
    "customer_reminder",
    "warranty_expiry",
    "geofence_event",
    "order_submitted",
)
# Exactly one subject, the one its kind names (also what migration 0013 builds).
SUBJECT_CHECK = (
    "num_nonnulls(order_id, customer_reminder_id, equipment_id, geofence_event_id) = 1"
    " AND (kind NOT IN ('order_reminder', 'order_submitted') OR order_id IS NOT NULL)"
    " AND (kind <> 'customer_reminder' OR customer_reminder_id IS NOT NULL)"
    " AND (kind <> 'warranty_expiry' OR equipment_id IS NOT NULL)"
    " AND (kind <> 'geofence_event' OR geofence_event_id IS NOT NULL)"
)


class Notification(IdMixin, TenantMixin, Base):
    """A line on a user's control panel: a reminder that fell due (seed 000's order
    reminders, seed 002's customer reminders and equipment warranty expiries), written by
    the reminder scan only, exactly once per (reminder, date, user): the partial unique
    indexes below decide, also when two scans run at once; or a geofence alert (seed 002),
    once per event and user. Goes with its user, its order, its customer reminder, its
    equipment or its geofence event."""

    __tablename__ = "notification"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "user_id"], ["user.company_id", "user.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["company_id", "order_id"], ["orders.company_id", "orders.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["company_id", "customer_reminder_id"],
            ["customer_reminder.company_id", "customer_reminder.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "equipment_id"],
            ["equipment.company_id", "equipment.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "geofence_event_id"],
            ["geofence_event.company_id", "geofence_event.id"],
            ondelete="CASCADE",
        ),
        # Exactly one subject, the one its kind names.
        CheckConstraint(
            SUBJECT_CHECK,
            name="subject",
        ),
        # One notification per reminder and user. An order's reminder is the order and its
        # date (moving the date later reminds again); a customer reminder's the same.
        Index(
            "uq_notification_order_reminder",
            "order_id",
            "due_on",
            "user_id",
            unique=True,
            postgresql_where=text("kind = 'order_reminder'"),
        ),
        Index(
            "uq_notification_customer_reminder",
            "customer_reminder_id",
            "due_on",
            "user_id",
            unique=True,
            postgresql_where=text("customer_reminder_id IS NOT NULL"),
        ),
        # A warranty's is the equipment and its expiry date (a new expiry reminds again).
        Index(
            "uq_notification_warranty_expiry",
            "equipment_id",
            "due_on",
            "user_id",
            unique=True,
            postgresql_where=text("equipment_id IS NOT NULL"),
        ),
        Index(
            "uq_notification_geofence_event",
            "geofence_event_id",
            "user_id",
            unique=True,
            postgresql_where=text("geofence_event_id IS NOT NULL"),
        ),
        # The control panel, newest first: all, and unread only.
        Index(None, "company_id", "user_id", "created_at", "id"),
        Index(
            "ix_notification_unread",
            "company_id",
            "user_id",
            "created_at",
            "id",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[uuid.UUID | None]
    customer_reminder_id: Mapped[uuid.UUID | None]
    equipment_id: Mapped[uuid.UUID | None]
    # A user entering or leaving a geofence (app.geofence), for the fence's users.
    geofence_event_id: Mapped[uuid.UUID | None]
    due_on: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
