from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from app.kit.schemas import (
    Country,
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    Text,
    UpdateSchema,
)

ACCESS_NOTES_MAX_LENGTH = 2_000

# Strict: a JSON number, not "45.2" or true; finite, within range (WGS 84 degrees).
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True, allow_inf_nan=False)]

_LABEL = "What the customer calls the place: `Main office`, `Warehouse 2`."
_COORDINATES = (
    "WGS 84 degrees. `latitude` and `longitude` go together: both or neither (a 422 names "
    "the one missing)."
)
_ACCESS_NOTES = "What a technician needs to get in: gate codes, parking, the dog."
_PRIMARY = (
    "The customer's primary service location (at most one per customer). True makes this "
    "one primary and the previous one not, in the same transaction."
)

_EXAMPLE: dict[str, Any] = {
    "label": "Warehouse 2",
    "address_line1": "400 Industrial Way",
    "city": "Oakland",
    "region": "CA",
    "postal_code": "94607",
    "country": "US",
    "latitude": 37.8044,
    "longitude": -122.2712,
    "access_notes": "Gate code 4721; park by the loading dock.",
    "is_primary": True,
}


class LocationRead(ReadSchema):
    id: uuid.UUID
    customer_id: uuid.UUID
    label: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    latitude: float | None
    longitude: float | None
    access_notes: str | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime


class LocationCreate(InputSchema):
    """A service location: an address (`address_line1`) or coordinates, or both."""

    label: NonBlankText | None = Field(default=None, max_length=100, description=_LABEL)
    address_line1: NonBlankText | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: Country | None = None
    latitude: Latitude | None = Field(default=None, description=_COORDINATES)
    longitude: Longitude | None = Field(default=None, description=_COORDINATES)
    access_notes: Text | None = Field(
        default=None, max_length=ACCESS_NOTES_MAX_LENGTH, description=_ACCESS_NOTES
    )
    is_primary: bool = Field(default=False, description=_PRIMARY)

    model_config = {
        "json_schema_extra": {
            "examples": [_EXAMPLE],
            "dependentRequired": {"latitude": ["longitude"], "longitude": ["latitude"]},
        }
    }


class LocationUpdate(UpdateSchema):
    """The fields to change; the location keeps an address (`address_line1`) or
    coordinates, or both."""

    nullable = frozenset(
        {
            "label",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "access_notes",
        }
    )

    label: NonBlankText | None = Field(default=None, max_length=100, description=_LABEL)
    address_line1: NonBlankText | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: Country | None = None
    latitude: Latitude | None = Field(default=None, description=_COORDINATES)
    longitude: Longitude | None = Field(default=None, description=_COORDINATES)
    access_notes: Text | None = Field(
        default=None, max_length=ACCESS_NOTES_MAX_LENGTH, description=_ACCESS_NOTES
    )
    is_primary: bool | Omitted = Field(
        default=None,
        description="True makes this the customer's primary location (the previous one "
        "stops being it); false on the primary one leaves the customer without one.",
    )

    model_config = {"json_schema_extra": {"examples": [{"access_notes": "New gate code 9134."}]}}


class LocationFromBillingAddress(InputSchema):
    """What the copy of the billing address adds to it; every field is optional."""

    label: NonBlankText | None = Field(default=None, max_length=100, description=_LABEL)
    access_notes: Text | None = Field(
        default=None, max_length=ACCESS_NOTES_MAX_LENGTH, description=_ACCESS_NOTES
    )
    is_primary: bool = Field(default=False, description=_PRIMARY)

    model_config = {
        "json_schema_extra": {"examples": [{"label": "Head office", "is_primary": True}]}
    }
