from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, IdMixin, TenantMixin, tenant_table_args


class RefreshToken(IdMixin, TenantMixin, Base):
    """One refresh token of a rotation family.

    A token is used once: refreshing marks it `rotated_at` and issues the next one in the
    same family. Presenting a rotated token again means it leaked, so the family is revoked.
    """

    __tablename__ = "refresh_token"
    __table_args__ = tenant_table_args(
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            ondelete="CASCADE",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
