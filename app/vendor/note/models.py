from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint
from sqlalchemy.orm import Mapped

from app.kit.models import Base
from app.kit.notes import NoteMixin, note_table_args


class VendorNote(NoteMixin, Base):
    """A note on a vendor (seed 000: "any notes that should be tracked with them"); the
    service and routes are app/note's, as for customers and orders."""

    __tablename__ = "vendor_note"
    __table_args__ = note_table_args(
        ForeignKeyConstraint(
            ["company_id", "vendor_id"], ["vendor.company_id", "vendor.id"], ondelete="CASCADE"
        ),
        "vendor_id",
    )

    vendor_id: Mapped[uuid.UUID]
