"""What every note is, whatever record it is on (a customer, an order): one definition of
the columns and rules, used by each parent's own table (app.customer.note.models,
app.order.note.models). In the kit, so that the parents' models need no other domain; the
service and routes of notes are app/note."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import IdMixin, TenantMixin, TimestampMixin, VersionedMixin, tenant_table_args

NOTE_VISIBILITIES = ("office", "site")


class NoteMixin(IdMixin, TenantMixin, TimestampMixin, VersionedMixin):
    """`office` notes stay in the office, `site` notes go to the crew on site (seed 002).
    The author is the user who wrote it (for an API key, its creator)."""

    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default="office")
    author_id: Mapped[uuid.UUID | None]


def note_table_args(parent_fk: ForeignKeyConstraint, parent_column: str) -> tuple[Any, ...]:
    """A note table's constraints: its parent (deleted with it), its author, the visibility,
    and the index its pages are read by."""
    return tenant_table_args(
        parent_fk,
        ForeignKeyConstraint(["company_id", "author_id"], ["user.company_id", "user.id"]),
        CheckConstraint(f"visibility IN {NOTE_VISIBILITIES!r}", name="visibility"),
        Index(None, "company_id", parent_column, "created_at", "id"),
    )
