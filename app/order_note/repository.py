from __future__ import annotations

from app.kit.repository import ChildRepository
from app.order.models import OrderNote


class OrderNoteRepository(ChildRepository[OrderNote]):
    """The notes of one order."""

    model = OrderNote
    label = "Order note"
    parent_key = "order_id"
