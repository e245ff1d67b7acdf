from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

Stage = Literal["quote", "open", "done", "lost"]
NAME_MAX_LENGTH = 60
MAX_STATUSES = 200

_STAGE = (
    "`quote`: an estimate not yet accepted; `open`: work to do; `done`: finished; `lost`: not won."
)
_SOLD = "Whether orders in this status count as sold in the sold ratio and sales reports."
_DEFAULT = (
    "The status new orders get. There is always exactly one: making a status the default "
    "takes the mark off the previous one."
)
_NAME = "Unique in the company, ignoring case."

# Stored upper-case, so that "#ff8800" and "#FF8800" are one colour (as for tags).
Color = Annotated[
    str,
    Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`, stored upper-case."),
    AfterValidator(str.upper),
]


class OrderStatusRead(ReadSchema):
    id: uuid.UUID
    name: str
    color: str
    position: int = Field(description="Lists are sorted by it; change it with the reorder call.")
    stage: Stage = Field(description=_STAGE)
    counts_as_sold: bool = Field(description=_SOLD)
    is_default: bool = Field(description=_DEFAULT)
    created_at: datetime
    updated_at: datetime


class OrderStatusCreate(InputSchema):
    name: NonBlankText = Field(max_length=NAME_MAX_LENGTH, description=_NAME)
    color: Color = "#9E9E9E"
    stage: Stage = Field(description=_STAGE)
    counts_as_sold: bool = Field(default=False, description=_SOLD)
    is_default: bool = Field(default=False, description=_DEFAULT)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "Measured", "color": "#8E24AA", "stage": "open", "counts_as_sold": True}
            ]
        }
    }


class OrderStatusUpdate(UpdateSchema):
    name: NonBlankText | Omitted = Field(
        default=None, max_length=NAME_MAX_LENGTH, description=_NAME
    )
    color: Color | Omitted = None
    stage: Stage | Omitted = Field(default=None, description=_STAGE)
    counts_as_sold: bool | Omitted = Field(default=None, description=_SOLD)
    is_default: bool | Omitted = Field(
        default=None,
        description=_DEFAULT + " `false` on the default status is refused: make another "
        "status the default instead.",
    )

    model_config = {"json_schema_extra": {"examples": [{"color": "#3366CC"}]}}


class OrderStatusReorder(InputSchema):
    ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=MAX_STATUSES,
        description="Every status id of the company, once each, in the new order.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "ids": [
                        "0190d2a4-7b3c-7cc1-9a51-2f1e7b6c5d40",
                        "0190d2a4-7b3c-7cc1-9a51-2f1e7b6c5d41",
                    ]
                }
            ]
        }
    }
