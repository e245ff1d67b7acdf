from __future__ import annotations

import uuid

from sqlalchemy.orm import Mapped

from app.kit.models import Base
from app.kit.notes import NoteMixin, note_table_args
from app.order.models import order_fk


class OrderNote(NoteMixin, Base):
    """A note on an order, `office` or `site` as for customers."""

    __tablename__ = "order_note"
    __table_args__ = note_table_args(order_fk(), "order_id")

    order_id: Mapped[uuid.UUID]
