from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)
from app.order.models import location_fk, order_fk, user_fk

APPOINTMENT_KINDS = ("appointment", "service_call", "installation")
MAX_DURATION_MINUTES = 7 * 24 * 60  # a week


class Appointment(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "appointment"
    __table_args__ = tenant_table_args(
        order_fk(),
        location_fk(),
        CheckConstraint(f"kind IN {APPOINTMENT_KINDS!r}", name="kind"),
        CheckConstraint("duration_minutes > 0", name="duration_minutes"),
        Index(None, "company_id", "order_id", "starts_at"),
        Index(None, "company_id", "starts_at"),
        Index(
            "ix_appointment_company_id_location_id",
            "company_id",
            "location_id",
            postgresql_where=text("location_id IS NOT NULL"),
        ),
    )

    order_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # Where, when not simply the order's location: one of the order's customer's.
    location_id: Mapped[uuid.UUID | None]


class AppointmentUser(Base):
    """A user assigned to an appointment."""

    __tablename__ = "appointment_user"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            ondelete="CASCADE",
        ),
        user_fk("user_id", "CASCADE"),
        Index(None, "company_id", "user_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
