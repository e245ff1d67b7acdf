from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

NoteVisibility = Literal["office", "site"]
NoteSort = Literal["-created_at", "created_at"]
NoteInclude = Literal["orders"]
NOTE_MAX_LENGTH = 10_000

_VISIBILITY = (
    "`office`: seen in the office only (by callers holding `customers:office`); `site`: also "
    "shown to the crew on site (gate codes, parking)."
)
_VISIBILITY_DEFAULT = (
    " When omitted: `office` for a caller holding `customers:office`, else `site`; making a "
    "note `office` needs `customers:office` (403)."
)


class NoteContent(ReadSchema):
    """What a note shows, whatever it is on (a customer, an order)."""

    id: uuid.UUID
    body: str
    visibility: NoteVisibility
    author_id: uuid.UUID | None = Field(
        description="The user who wrote it (for an API key, the key's creator)."
    )
    created_at: datetime
    updated_at: datetime


class NoteRead(NoteContent):
    customer_id: uuid.UUID


class OrderNoteRead(NoteContent):
    order_id: uuid.UUID


class CustomerNoteListItem(NoteRead):
    """A note of the customer's notes list: the customer's own (`order_id` null) or, with
    `include=orders`, one of its orders' (at `/v1/orders/{order_id}/notes/{id}`)."""

    order_id: uuid.UUID | None = Field(
        default=None,
        description="The order the note is on; null for a note on the customer itself.",
    )


class VendorNoteRead(NoteContent):
    vendor_id: uuid.UUID


class NoteCreate(InputSchema):
    body: NonBlankText = Field(max_length=NOTE_MAX_LENGTH)
    visibility: NoteVisibility | None = Field(
        default=None, description=_VISIBILITY + _VISIBILITY_DEFAULT
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"body": "Gate code 4512; park on the street.", "visibility": "site"}]
        }
    }


class NoteUpdate(UpdateSchema):
    body: NonBlankText | Omitted = Field(default=None, max_length=NOTE_MAX_LENGTH)
    visibility: NoteVisibility | Omitted = Field(
        default=None,
        description=_VISIBILITY + " Making a note `office` needs `customers:office` (403).",
    )

    model_config = {"json_schema_extra": {"examples": [{"visibility": "office"}]}}
