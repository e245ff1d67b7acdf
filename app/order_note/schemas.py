"""An order's notes have the shape of a customer's (app.note.schemas): the same body and
visibility rules, written the same way; only the record they are on differs."""

from __future__ import annotations

import uuid

from app.note.schemas import NoteContent


class OrderNoteRead(NoteContent):
    order_id: uuid.UUID
