from __future__ import annotations

from app.kit.repository import ChildRepository
from app.note.models import Note


class NoteRepository(ChildRepository[Note]):
    """The notes of one customer: a note id under another customer is as missing as one of
    another company."""

    model = Note
    label = "Note"
    parent_key = "customer_id"
