from __future__ import annotations

from typing import TypeVar

from app.customer.note.models import Note
from app.kit.notes import NoteMixin
from app.kit.repository import ChildRepository
from app.order.note.models import OrderNote
from app.vendor.note.models import VendorNote

N = TypeVar("N", bound=NoteMixin)


class CustomerNoteRepository(ChildRepository[Note]):
    """The notes of one customer: a note id under another customer is as missing as one of
    another company."""

    model = Note
    label = "Note"
    parent_key = "customer_id"


class OrderNoteRepository(ChildRepository[OrderNote]):
    """The notes of one order."""

    model = OrderNote
    label = "Order note"
    parent_key = "order_id"


class VendorNoteRepository(ChildRepository[VendorNote]):
    """The notes of one vendor."""

    model = VendorNote
    label = "Vendor note"
    parent_key = "vendor_id"
