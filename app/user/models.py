from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import (
    Base,
    IdMixin,
    TenantMixin,
    TimestampMixin,
    VersionedMixin,
    tenant_table_args,
)


class User(IdMixin, TenantMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "user"
    __table_args__ = tenant_table_args(
        # The directory (user pickers): active users by name, in keyset pages.
        Index(
            "ix_user_directory",
            "company_id",
            "name",
            "id",
            postgresql_where=text("is_active"),
        ),
    )

    # Stored lower-cased; unique across companies because login takes only an email.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255), info={"secret": True})
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Deleted users stay as rows, so that the history naming them (orders, payments, notes,
    # assignments, events) keeps their name; they are disabled for good, their email is
    # released, and no route shows or changes them again.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class UserGroup(Base):
    """Membership; both keys carry company_id so a user can never join another company's group."""

    __tablename__ = "user_group"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "group_id"],
            ["group.company_id", "group.id"],
            ondelete="CASCADE",
        ),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
