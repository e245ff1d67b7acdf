"""Line items of an order. Quantities are decimals with up to 3 places: they travel as strings
("1.500") so that no client parses them into a binary float and loses the exact value."""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer
from pydantic.json_schema import WithJsonSchema

from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, Text, UpdateSchema

MAX_QUANTITY = Decimal(1_000_000)
QUANTITY_STEP = Decimal("0.001")
# Keeps a line total (unit amount x quantity) and an order's 500 lines inside a BIGINT.
MAX_UNIT_AMOUNT = 10_000_000_000
# A decimal string as the contract states it: 1 to 6 digits, up to 3 decimals, not zero.
QUANTITY_PATTERN = r"^(?=[0-9.]*[1-9])[0-9]{1,6}(\.[0-9]{1,3})?$"
_QUANTITY_STRING = re.compile(QUANTITY_PATTERN)
_QUANTITY_RULE = "must be greater than 0 and less than 1000000, with at most 3 decimal places"


def _quantity(value: Any) -> Decimal:
    """A JSON number or a decimal string, as an exact Decimal of 3 places."""
    if isinstance(value, str):
        if not _QUANTITY_STRING.fullmatch(value):
            raise ValueError(f'{_QUANTITY_RULE} (a string such as "1.5")')
        return Decimal(value).quantize(QUANTITY_STEP)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError('must be a number or a decimal string such as "1.5"')
    try:
        exact = Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(value))
    except InvalidOperation:  # pragma: no cover - repr of a float is always a decimal
        raise ValueError(_QUANTITY_RULE) from None
    if not exact.is_finite() or not 0 < exact < MAX_QUANTITY:
        raise ValueError(_QUANTITY_RULE)
    rounded = exact.quantize(QUANTITY_STEP)
    if not 0 < rounded < MAX_QUANTITY:
        raise ValueError(_QUANTITY_RULE)
    # A JSON number is a binary float: 0.001 * 123457 arrives as 123.45700000000001. Read it
    # as the 3-decimal value it stands for, but refuse one that really has more decimals.
    if rounded != exact and not (
        isinstance(value, float) and math.isclose(float(rounded), value, rel_tol=1e-12)
    ):
        raise ValueError(_QUANTITY_RULE)
    return rounded


QuantityIn = Annotated[
    Decimal,
    BeforeValidator(_quantity),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "exclusiveMaximum": 1_000_000,
                    "multipleOf": 0.001,
                },
                {"type": "string", "pattern": QUANTITY_PATTERN},
            ],
            "description": 'Up to 3 decimals, > 0 and < 1000000. A string ("1.5") keeps it '
            "exact; a JSON number is read as the 3-decimal value it stands for.",
        }
    ),
]
QuantityOut = Annotated[
    Decimal,
    PlainSerializer(lambda quantity: f"{quantity:.3f}", return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]+\.[0-9]{3}$",
            "description": 'Always 3 decimals, as a string: "1.500".',
            "examples": ["1.500"],
        }
    ),
]

_AMOUNT = "Minor units of the company's currency (cents for USD)."


class OrderLineRead(ReadSchema):
    id: uuid.UUID
    order_id: uuid.UUID
    position: int = Field(description="Lines are listed by position; a new line goes last.")
    invoice_item_id: uuid.UUID | None = Field(
        description="The catalog item it was copied from; null for an ad hoc line, or once "
        "that item is deleted (the copied SKU, name and amount stay)."
    )
    sku: str | None
    name: str
    description: str | None
    quantity: QuantityOut
    unit_amount: int = Field(description=_AMOUNT)
    line_total: int = Field(
        description="quantity x unit_amount, rounded half-to-even to the minor unit."
    )
    created_at: datetime
    updated_at: datetime


class OrderLineCreate(InputSchema):
    invoice_item_id: uuid.UUID | None = Field(
        default=None,
        description="An active catalog item: its SKU, name, description and unit amount are "
        "copied now (later catalog edits do not change this line). Without it, `name` and "
        "`unit_amount` are required.",
    )
    name: NonBlankText | None = Field(
        default=None, max_length=200, description="Overrides the catalog item's name."
    )
    description: Text | None = Field(
        default=None, max_length=10_000, description="Overrides the catalog item's description."
    )
    unit_amount: int | None = Field(
        default=None,
        ge=0,
        le=MAX_UNIT_AMOUNT,
        description=f"{_AMOUNT} Overrides the catalog item's unit amount.",
    )
    quantity: QuantityIn = Decimal("1.000")

    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Labour (hours)", "quantity": "1.5", "unit_amount": 8500}]
        }
    }


class OrderLineUpdate(UpdateSchema):
    nullable = frozenset({"description"})

    name: NonBlankText | Omitted = Field(default=None, max_length=200)
    description: Text | None = Field(default=None, max_length=10_000)
    unit_amount: int | Omitted = Field(default=None, ge=0, le=MAX_UNIT_AMOUNT, description=_AMOUNT)
    quantity: QuantityIn | Omitted = None

    model_config = {"json_schema_extra": {"examples": [{"quantity": "2"}]}}
