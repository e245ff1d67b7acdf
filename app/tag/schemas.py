from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

# Stored upper-case, so that "#ff8800" and "#FF8800" are one colour.
Color = Annotated[
    str,
    Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`, stored upper-case."),
    AfterValidator(str.upper),
]


class TagRead(ReadSchema):
    id: uuid.UUID
    name: str
    color: str | None
    created_at: datetime
    updated_at: datetime


class TagCreate(InputSchema):
    name: NonBlankText = Field(
        min_length=1, max_length=50, description="Unique in the company, ignoring case."
    )
    color: Color | None = None

    model_config = {"json_schema_extra": {"examples": [{"name": "VIP", "color": "#FF8800"}]}}


class TagUpdate(UpdateSchema):
    nullable = frozenset({"color"})

    name: NonBlankText | Omitted = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Unique in the company, ignoring case.",
    )
    color: Color | None = Field(default=None, description="`#RRGGBB`; null removes the colour.")

    model_config = {"json_schema_extra": {"examples": [{"color": "#3366CC"}]}}
