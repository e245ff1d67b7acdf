from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.note.models import Note
from app.kit.models import Base
from app.kit.repository import ChildRepository
from app.order.models import Order
from app.order.note.models import OrderNote
from app.vendor.note.models import VendorNote

N = TypeVar("N", bound=Base)


class NotesRepository(ChildRepository[N]):
    """The notes of one parent; for a caller who sees only what field staff see
    (`office=False`), its site notes only, so that an office note is as missing as one of
    another company, in lists and by id alike."""

    def __init__(
        self,
        session: AsyncSession,
        company_id: uuid.UUID,
        parent_id: uuid.UUID,
        *,
        office: bool = True,
    ) -> None:
        super().__init__(session, company_id, parent_id)
        self.office = office

    def select(self) -> Select[tuple[N]]:
        stmt = super().select()
        if not self.office:
            stmt = stmt.where(self.model.visibility == "site")
        return stmt


class CustomerNoteRepository(NotesRepository[Note]):
    """The notes of one customer: a note id under another customer is as missing as one of
    another company."""

    model = Note
    label = "Note"
    parent_key = "customer_id"

    def with_orders(self) -> Select[Any]:
        """The customer's notes and those of its orders, as rows of one shape (a customer
        note's `order_id` is null), with this repository's visibility rule on both."""
        own = select(
            Note.id,
            Note.customer_id,
            null().label("order_id"),
            Note.body,
            Note.visibility,
            Note.author_id,
            Note.created_at,
            Note.updated_at,
            Note.version,
        ).where(Note.company_id == self.company_id, Note.customer_id == self.parent_id)
        # An order's customer is data the order domain owns; read here as data, the way a
        # location reads the orders that name it.
        of_orders = (
            select(
                OrderNote.id,
                Order.customer_id,
                OrderNote.order_id,
                OrderNote.body,
                OrderNote.visibility,
                OrderNote.author_id,
                OrderNote.created_at,
                OrderNote.updated_at,
                OrderNote.version,
            )
            .join(
                Order,
                (Order.company_id == OrderNote.company_id) & (Order.id == OrderNote.order_id),
            )
            .where(OrderNote.company_id == self.company_id, Order.customer_id == self.parent_id)
        )
        if not self.office:
            own = own.where(Note.visibility == "site")
            of_orders = of_orders.where(OrderNote.visibility == "site")
        combined = union_all(own, of_orders).subquery("notes")
        return select(combined)


class OrderNoteRepository(NotesRepository[OrderNote]):
    """The notes of one order."""

    model = OrderNote
    label = "Order note"
    parent_key = "order_id"


class VendorNoteRepository(NotesRepository[VendorNote]):
    """The notes of one vendor."""

    model = VendorNote
    label = "Vendor note"
    parent_key = "vendor_id"
