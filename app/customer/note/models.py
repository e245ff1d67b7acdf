from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint
from sqlalchemy.orm import Mapped

from app.kit.models import Base
from app.kit.notes import NoteMixin, note_table_args


class Note(NoteMixin, Base):
    """A note on a customer."""

    __tablename__ = "note"
    __table_args__ = note_table_args(
        ForeignKeyConstraint(
            ["company_id", "customer_id"],
            ["customer.company_id", "customer.id"],
            ondelete="CASCADE",
        ),
        "customer_id",
    )

    customer_id: Mapped[uuid.UUID]
