"""Geofences (seed 002's Geofences tab), the positions field devices report, and the enter
and exit events the positions give."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)

ALERT_ON = ("enter", "exit", "both")
SHAPES = ("circle", "polygon")
EVENT_KINDS = ("enter", "exit")

# The fence's bounding box as PostgreSQL's geometric `box`: the GiST index below holds it
# (with company_id, through btree_gist), and a position finds its candidate fences by
# `BBOX && box(point, point)`, an index scan whatever the number of fences.
BBOX = "box(point(west, south), point(east, north))"


class Geofence(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    """A fence around a customer's service location: a circle (centre and radius) or a
    polygon (one ring, GeoJSON order [longitude, latitude]). It goes with its location
    (ON DELETE CASCADE), and its events with it. `west..north` is its bounding box and
    `width_m` its narrowest width, both derived by the service from the shape."""

    __tablename__ = "geofence"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "location_id"],
            ["location.company_id", "location.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(f"alert_on IN {ALERT_ON!r}", name="alert_on"),
        CheckConstraint(f"shape IN {SHAPES!r}", name="shape"),
        CheckConstraint(
            "(shape = 'circle' AND latitude IS NOT NULL AND longitude IS NOT NULL"
            " AND radius_m IS NOT NULL AND ring IS NULL)"
            " OR (shape = 'polygon' AND ring IS NOT NULL AND radius_m IS NULL)",
            name="geometry",
        ),
        CheckConstraint("west <= east AND south <= north", name="bbox"),
        Index(None, "company_id", "location_id", "created_at", "id"),
        Index("ix_geofence_bbox", "company_id", text(BBOX), postgresql_using="gist"),
    )

    customer_id: Mapped[uuid.UUID]
    location_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str] = mapped_column(String(7))
    alert_on: Mapped[str] = mapped_column(String(5))
    shape: Mapped[str] = mapped_column(String(7))
    # A circle: its centre (WGS 84 degrees) and radius in metres.
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    radius_m: Mapped[float | None] = mapped_column(Double)
    # A polygon: its closed ring of [longitude, latitude] positions.
    ring: Mapped[list[list[float]] | None] = mapped_column(JSONB(none_as_null=True))
    west: Mapped[float] = mapped_column(Double)
    south: Mapped[float] = mapped_column(Double)
    east: Mapped[float] = mapped_column(Double)
    north: Mapped[float] = mapped_column(Double)
    width_m: Mapped[float] = mapped_column(Double)


class GeofenceUser(Base):
    """A user the fence notifies of its enter and exit events."""

    __tablename__ = "geofence_user"
    __table_args__ = (
        PrimaryKeyConstraint("company_id", "geofence_id", "user_id"),
        ForeignKeyConstraint(
            ["company_id", "geofence_id"],
            ["geofence.company_id", "geofence.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "user_id"], ["user.company_id", "user.id"], ondelete="CASCADE"
        ),
        Index(None, "company_id", "user_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    geofence_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]


class UserPosition(Base):
    """A position a user's device reported. One per (user, recorded_at): a position sent
    again (a retried batch) is the same row, and the first one stored wins."""

    __tablename__ = "user_position"
    __table_args__ = (
        PrimaryKeyConstraint("company_id", "user_id", "recorded_at"),
        ForeignKeyConstraint(
            ["company_id", "user_id"], ["user.company_id", "user.id"], ondelete="CASCADE"
        ),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint("accuracy_m >= 0", name="accuracy_m"),
    )

    # No foreign key of its own: the one to the user (of this company) implies it, and a
    # batch is 500 rows, each checked once rather than twice.
    company_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    accuracy_m: Mapped[float] = mapped_column(Double)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())


class UserTracking(Base):
    """Where a user's evaluated positions left them: the time of the last position
    evaluated and the fences they were then inside. Its row is the user's tracking lock
    (FOR UPDATE, one batch of a user at a time), and it spares reading the user's event
    history when a batch follows the last one in time (the usual case)."""

    __tablename__ = "user_tracking"
    __table_args__ = (
        PrimaryKeyConstraint("company_id", "user_id"),
        ForeignKeyConstraint(
            ["company_id", "user_id"], ["user.company_id", "user.id"], ondelete="CASCADE"
        ),
    )

    company_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    last_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inside: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'::uuid[]")
    )


class GeofenceEvent(IdMixin, TenantMixin, Base):
    """A user crossing a fence: `enter` or `exit` at the time of the position that showed
    it. Derived from the user's positions in time order (app.geofence.tracking): at most one
    per (user, fence, time), and re-derived when an earlier position arrives late."""

    __tablename__ = "geofence_event"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "geofence_id"],
            ["geofence.company_id", "geofence.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "user_id"], ["user.company_id", "user.id"], ondelete="CASCADE"
        ),
        CheckConstraint(f"kind IN {EVENT_KINDS!r}", name="kind"),
        UniqueConstraint("company_id", "user_id", "geofence_id", "occurred_at"),
        # The list, newest first, whole or by user, fence or customer.
        Index(None, "company_id", "occurred_at", "id"),
        Index(None, "company_id", "user_id", "occurred_at", "id"),
        Index(None, "company_id", "geofence_id", "occurred_at", "id"),
        Index(None, "company_id", "customer_id", "occurred_at", "id"),
    )

    geofence_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    location_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(5))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
