from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
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
        # The schedule's keyset order (starts_at, id), whole: the next page's row comparison
        # is an index condition and no sort step waits on appointments sharing a start time.
        Index(None, "company_id", "starts_at", "id"),
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


# The exclusion constraint that refuses a double booking (btree_gist): two rows of one user
# whose time ranges overlap, unless one of them was booked with `allow_overlap`.
NO_OVERLAP = "ex_appointment_user_no_overlap"


class AppointmentUser(Base):
    """A user assigned to an appointment, with the appointment's time range copied in
    (`starts_at`, `ends_at`, kept in step by the service) so that the database itself refuses
    a double booking, concurrent ones included (`NO_OVERLAP`)."""

    __tablename__ = "appointment_user"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            ondelete="CASCADE",
        ),
        user_fk("user_id", "CASCADE"),
        Index(None, "company_id", "user_id"),
        CheckConstraint("ends_at > starts_at", name="range"),
        ExcludeConstraint(
            ("company_id", "="),
            ("user_id", "="),
            (func.tstzrange(text("starts_at"), text("ends_at")), "&&"),
            name=NO_OVERLAP,
            using="gist",
            where=text("NOT overlap_allowed"),
        ),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Booked with `allow_overlap`: outside the constraint, others may overlap it.
    overlap_allowed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
