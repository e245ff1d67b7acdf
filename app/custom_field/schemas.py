from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from app.kit.schemas import (
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    UpdateSchema,
    WholeNumber,
)

CustomFieldEntity = Literal["customer", "order", "equipment", "vendor"]
CustomFieldType = Literal["text", "number", "date", "boolean", "select"]

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
MAX_OPTIONS = 100
MAX_POSITION = 1_000_000

Option = Annotated[NonBlankText, Field(min_length=1, max_length=100)]
Options = Annotated[
    list[Option],
    Field(
        max_length=MAX_OPTIONS,
        # Enforced by the service (app.custom_field.service.check_options), said here too.
        json_schema_extra={"uniqueItems": True},
        description="The choices of a `select` field: at least one, each once. "
        "Other types take none.",
    ),
]
Label = Annotated[NonBlankText, Field(min_length=1, max_length=100)]
Position = Annotated[
    int,
    Field(
        strict=True, ge=0, le=MAX_POSITION, description="Lists are ordered by position, then key."
    ),
    WholeNumber,
]

# The contract says what the service checks: `select` needs options, other types take none.
_OPTIONS_BY_TYPE: dict[str, Any] = {
    "anyOf": [
        {
            "properties": {"type": {"const": "select"}, "options": {"minItems": 1}},
            "required": ["type", "options"],
        },
        {
            "properties": {
                "type": {"enum": ["text", "number", "date", "boolean"]},
                "options": {"maxItems": 0},
            },
        },
    ]
}


class CustomFieldRead(ReadSchema):
    id: uuid.UUID
    entity: CustomFieldEntity
    key: str
    label: str
    type: CustomFieldType
    options: list[str]
    required: bool
    position: int
    created_at: datetime
    updated_at: datetime


class CustomFieldCreate(InputSchema):
    entity: CustomFieldEntity = Field(description="The kind of record the field belongs to.")
    key: str = Field(
        pattern=KEY_PATTERN,
        description="The key of the value in the record's `custom_fields`; unique per entity. "
        "Cannot be changed later.",
    )
    label: Label
    type: CustomFieldType = Field(description="Cannot be changed later.")
    options: Options = Field(default_factory=list)
    required: bool = Field(
        default=False, description="Records must then carry a value (checked when they change)."
    )
    position: Position = 0

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "entity": "customer",
                    "key": "lead_source",
                    "label": "Lead source",
                    "type": "select",
                    "options": ["Referral", "Website", "Yard sign"],
                    "required": False,
                    "position": 10,
                }
            ],
            **_OPTIONS_BY_TYPE,
        }
    }


class CustomFieldUpdate(UpdateSchema):
    """Entity, key and type are fixed at creation: stored values depend on them."""

    label: Label | Omitted = None
    options: Options | Omitted = Field(
        default=None, description="Only for a `select` field: replaces its choices."
    )
    required: bool | Omitted = None
    position: Position | Omitted = None

    model_config = {"json_schema_extra": {"examples": [{"label": "How they found us"}]}}
