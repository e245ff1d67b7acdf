from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

TEXT_MAX_LENGTH = 500
_IS_DONE = "Ticking it records who (the caller) and when; unticking clears both."


class ChecklistItemRead(ReadSchema):
    id: uuid.UUID
    order_id: uuid.UUID
    position: int = Field(description="Items are listed by position; a new one goes last.")
    text: str
    is_done: bool
    done_by: uuid.UUID | None = Field(description="The user who ticked it; null when not done.")
    done_at: datetime | None = Field(description="When it was ticked; null when not done.")
    created_at: datetime
    updated_at: datetime


class ChecklistItemCreate(InputSchema):
    text: NonBlankText = Field(min_length=1, max_length=TEXT_MAX_LENGTH)
    is_done: bool = Field(default=False, description=_IS_DONE)

    model_config = {"json_schema_extra": {"examples": [{"text": "Pressure-test the gas line"}]}}


class ChecklistItemUpdate(UpdateSchema):
    text: NonBlankText | Omitted = Field(default=None, min_length=1, max_length=TEXT_MAX_LENGTH)
    is_done: bool | Omitted = Field(default=None, description=_IS_DONE)

    model_config = {"json_schema_extra": {"examples": [{"is_done": True}]}}
