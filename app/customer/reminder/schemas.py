from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.kit.schemas import (
    DateParam,
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    UpdateSchema,
)

CustomerReminderSort = Literal["due_on", "-due_on", "created_at", "-created_at"]
MESSAGE_MAX_LENGTH = 2000

_DUE_ON = (
    "The day the assigned user is notified, in the company's timezone. Changing it (or the "
    "assigned user) of a reminder already notified makes it notify again."
)
_ASSIGNED_USER = "The office user to notify: an active user of the company."
_MESSAGE = "What to do, as the notification shows it."


class CustomerReminderRead(ReadSchema):
    """A reminder on a customer for one office user (seed 002's Reminders tab)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    due_on: date = Field(description=_DUE_ON)
    assigned_user_id: uuid.UUID = Field(description=_ASSIGNED_USER)
    message: str = Field(description=_MESSAGE)
    created_by: uuid.UUID | None = Field(
        description="The user who set it (for an API key, the key's creator)."
    )
    notified_at: datetime | None = Field(
        description="When the assigned user was notified; null while the reminder is pending."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="The row version, as in the ETag.")


class CustomerReminderCreate(InputSchema):
    # An ISO date as the contract says (`format: date`), not a Unix time or a date-time.
    due_on: DateParam = Field(description=_DUE_ON)
    assigned_user_id: uuid.UUID = Field(description=_ASSIGNED_USER)
    message: NonBlankText = Field(max_length=MESSAGE_MAX_LENGTH, description=_MESSAGE)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "due_on": "2026-12-01",
                    "assigned_user_id": "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f",
                    "message": "Call about the annual service visit.",
                }
            ]
        }
    }


class CustomerReminderUpdate(UpdateSchema):
    due_on: DateParam | Omitted = Field(default=None, description=_DUE_ON)
    assigned_user_id: uuid.UUID | Omitted = Field(default=None, description=_ASSIGNED_USER)
    message: NonBlankText | Omitted = Field(
        default=None, max_length=MESSAGE_MAX_LENGTH, description=_MESSAGE
    )

    model_config = {"json_schema_extra": {"examples": [{"due_on": "2026-12-08"}]}}
