from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from app.kit.models import Base, IdMixin, TenantMixin, tenant_table_args


class XID8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (`xid8`, never wraps around)."""

    cache_ok = True

    def get_col_spec(self, **_: object) -> str:
        return "xid8"


class Event(IdMixin, TenantMixin, Base):
    """One mutation, written in the transaction that made it: who, what, before and after.

    Actors are not foreign keys on purpose: the audit trail outlives what it describes.
    """

    __tablename__ = "event"
    __table_args__ = tenant_table_args(
        Index(None, "company_id", "entity_type", "entity_id", "id"),
        Index(None, "company_id", "txid", "id"),
    )

    type: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[uuid.UUID]
    # The record a child belongs to (a contact's customer), so that the parent's timeline
    # shows its children's events too.
    parent_type: Mapped[str | None] = mapped_column(String(50))
    parent_id: Mapped[uuid.UUID | None]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_api_key_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The writing transaction's id, set by the database: the change feed's order
    # (app/event/feed.py). Never loaded with the row; events from before the feed have 1.
    txid: Mapped[int] = mapped_column(
        XID8(), server_default=text("pg_current_xact_id()"), deferred=True
    )
