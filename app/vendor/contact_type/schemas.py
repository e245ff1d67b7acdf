from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.kit.schemas import (
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    UpdateSchema,
    WholeNumber,
)

NAME_MAX_LENGTH = 60
MAX_POSITION = 1_000_000

_NAME = "Unique in the company, ignoring case."
Position = Annotated[
    int,
    Field(
        strict=True,
        ge=0,
        le=MAX_POSITION,
        description="Lists are sorted by it (then by creation); new types go last.",
    ),
    WholeNumber,
]


class ContactTypeRead(ReadSchema):
    id: uuid.UUID
    name: str
    position: int
    created_at: datetime
    updated_at: datetime


class ContactTypeCreate(InputSchema):
    name: NonBlankText = Field(max_length=NAME_MAX_LENGTH, description=_NAME)
    position: Position | None = Field(
        default=None, description="Where it is listed; by default after the last one."
    )

    model_config = {"json_schema_extra": {"examples": [{"name": "Supplier"}]}}


class ContactTypeUpdate(UpdateSchema):
    name: NonBlankText | Omitted = Field(
        default=None, max_length=NAME_MAX_LENGTH, description=_NAME
    )
    position: Position | Omitted = None

    model_config = {"json_schema_extra": {"examples": [{"name": "Subcontractor"}]}}
