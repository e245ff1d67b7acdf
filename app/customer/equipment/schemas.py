from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from app.kit.schemas import (
    DateParam,
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    Text,
    UpdateSchema,
    WholeNumber,
)

DESCRIPTION_MAX_LENGTH = 2_000
MAX_WARRANTY_MONTHS = 1_200  # a hundred years: anything longer is a typo

WarrantyFilter = Literal["active", "expiring", "expired"]

WarrantyMonths = Annotated[
    int,
    Field(
        strict=True,
        ge=1,
        le=MAX_WARRANTY_MONTHS,
        description="The warranty's length in calendar months from `installed_on` (which it "
        "needs); the expiry is derived from it (Jan 31 + 1 month is the last day of February).",
    ),
    WholeNumber,
]

_TYPE = "What it is: `Furnace`, `Heat pump`, `Water heater`."
_LOCATION = "One of the customer's service locations, where it is installed."
_INSTALLED_ON = "The day it was installed; the warranty in months counts from it."
_EXPIRES_ON = (
    "The day the warranty expires (from that day it is expired). Give it, or "
    "`warranty_months` from `installed_on`, or both when they agree; the other is derived."
)
_CUSTOM_FIELDS = "Values keyed by custom field `key` (definitions of entity `equipment`)."

_EXAMPLE: dict[str, Any] = {
    "type": "Heat pump",
    "manufacturer": "Daikin",
    "model": "Altherma 3 H HT",
    "serial_number": "DK-2026-004417",
    "installed_on": "2026-03-15",
    "warranty_months": 60,
    "description": "Outdoor unit on the north wall; indoor unit in the utility room.",
}


_VENDOR = "The vendor who sold or services it (`/v1/vendors`); another company's is a 404."


class EquipmentRead(ReadSchema):
    """A piece of equipment of the customer (seed 002's Equipment tab)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    location_id: uuid.UUID | None = Field(description=_LOCATION)
    vendor_id: uuid.UUID | None = Field(description=_VENDOR)
    type: str = Field(description=_TYPE)
    manufacturer: str | None
    model: str | None
    serial_number: str | None
    description: str | None
    installed_on: date | None = Field(description=_INSTALLED_ON)
    warranty_months: int | None = Field(
        description="The warranty in whole months from installation: as given, or derived "
        "from the expiry when it falls a whole number of months after `installed_on` "
        "(else null)."
    )
    warranty_expires_on: date | None = Field(description=_EXPIRES_ON)
    warranty_months_left: int | None = Field(
        description="Whole calendar months from today (in the company's timezone) to the "
        "expiry; 0 once expired; null without a warranty."
    )
    custom_fields: dict[str, Any] = Field(description=_CUSTOM_FIELDS)
    created_at: datetime
    updated_at: datetime


class EquipmentCreate(InputSchema):
    type: NonBlankText = Field(max_length=100, description=_TYPE)
    manufacturer: NonBlankText | None = Field(default=None, max_length=100)
    model: NonBlankText | None = Field(default=None, max_length=100)
    serial_number: NonBlankText | None = Field(default=None, max_length=100)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    vendor_id: uuid.UUID | None = Field(default=None, description=_VENDOR)
    installed_on: DateParam | None = Field(default=None, description=_INSTALLED_ON)
    warranty_months: WarrantyMonths | None = None
    warranty_expires_on: DateParam | None = Field(default=None, description=_EXPIRES_ON)
    custom_fields: dict[str, Any] = Field(default_factory=dict, description=_CUSTOM_FIELDS)

    model_config = {
        "json_schema_extra": {
            "examples": [_EXAMPLE],
            "dependentRequired": {"warranty_months": ["installed_on"]},
        }
    }


class EquipmentUpdate(UpdateSchema):
    """The fields to change. A new `installed_on` moves the expiry of a warranty given in
    months, and keeps an expiry given as a date. Null `warranty_months` and
    `warranty_expires_on` (both, or the one sent) remove the warranty."""

    nullable = frozenset(
        {
            "manufacturer",
            "model",
            "serial_number",
            "description",
            "location_id",
            "vendor_id",
            "installed_on",
            "warranty_months",
            "warranty_expires_on",
        }
    )

    type: NonBlankText | Omitted = Field(default=None, max_length=100, description=_TYPE)
    manufacturer: NonBlankText | None = Field(default=None, max_length=100)
    model: NonBlankText | None = Field(default=None, max_length=100)
    serial_number: NonBlankText | None = Field(default=None, max_length=100)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    vendor_id: uuid.UUID | None = Field(default=None, description=_VENDOR)
    installed_on: DateParam | None = Field(default=None, description=_INSTALLED_ON)
    warranty_months: WarrantyMonths | None = None
    warranty_expires_on: DateParam | None = Field(default=None, description=_EXPIRES_ON)
    custom_fields: dict[str, Any] | Omitted = Field(
        default=None, description="Merged into the current values; a null value removes one."
    )

    model_config = {"json_schema_extra": {"examples": [{"warranty_expires_on": "2031-03-15"}]}}
