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
    Text,
    UpdateSchema,
    WholeNumber,
)

SKU_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
# Well inside BIGINT. Money is an integer (`Integer`): never a string or a boolean.
MAX_UNIT_AMOUNT = 999_999_999_999

_SKU = "Unique in the company (exact match)."
_UNIT_AMOUNT = "Price of one unit, in minor units of the company's currency (cents for USD)."
_ARCHIVED = (
    "An archived item stays on the orders that have it but cannot be added to new ones "
    "and is left out of the list unless `archived=true`."
)


UnitAmount = Annotated[
    int, Field(strict=True, ge=0, le=MAX_UNIT_AMOUNT, description=_UNIT_AMOUNT), WholeNumber
]


class InvoiceItemRead(ReadSchema):
    id: uuid.UUID
    sku: str = Field(description=_SKU)
    name: str
    description: str | None
    unit_amount: int = Field(description=_UNIT_AMOUNT)
    is_archived: bool = Field(description=_ARCHIVED)
    created_at: datetime
    updated_at: datetime


class InvoiceItemCreate(InputSchema):
    sku: NonBlankText = Field(max_length=SKU_MAX_LENGTH, description=_SKU)
    name: NonBlankText = Field(max_length=NAME_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    unit_amount: UnitAmount

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "sku": "WH-50G",
                    "name": "Water heater, 50 gal",
                    "description": "Gas, installed, old unit hauled away",
                    "unit_amount": 129_900,
                }
            ]
        }
    }


class InvoiceItemUpdate(UpdateSchema):
    nullable = frozenset({"description"})

    sku: NonBlankText | Omitted = Field(default=None, max_length=SKU_MAX_LENGTH, description=_SKU)
    name: NonBlankText | Omitted = Field(default=None, max_length=NAME_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    unit_amount: UnitAmount | Omitted = None
    is_archived: bool | Omitted = Field(default=None, description=_ARCHIVED)

    model_config = {"json_schema_extra": {"examples": [{"unit_amount": 134_900}]}}
