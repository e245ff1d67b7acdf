from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema

from app.kit.phone import Phone
from app.kit.schemas import (
    Country,
    Email,
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    Text,
    UpdateSchema,
)
from app.vendor.models import RECORD_FIELDS

WEBSITE_MAX_LENGTH = 2000
# An http(s) URL with a host name (or IPv4 address) and an optional port, path, query and
# fragment: what a browser opens when it is clicked. The contract carries this very pattern,
# so what a client (or a generated test) reads there is exactly what is checked.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
WEBSITE_PATTERN = (
    rf"^[Hh][Tt][Tt][Pp][Ss]?://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?"
    r"(?:[/?#][^\x00-\x20\x7f]*)?$"
)
_WEBSITE = re.compile(WEBSITE_PATTERN)


def _website(value: str) -> str:
    if len(value) > WEBSITE_MAX_LENGTH or not _WEBSITE.fullmatch(value):
        raise ValueError(
            "must be an http:// or https:// URL with a host name, e.g. https://example.com"
        )
    return value


Website = Annotated[
    str,
    AfterValidator(_website),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": WEBSITE_MAX_LENGTH,
            "pattern": WEBSITE_PATTERN,
            "description": "An http:// or https:// URL.",
            "examples": ["https://example.com"],
        }
    ),
]

_EXAMPLE: dict[str, Any] = {
    "name": "Bay Flooring Supply",
    "contact_person": "Sam Rivera",
    "email": "orders@bayflooring.example.com",
    "phone": "(415) 555-0188",
    "website": "https://bayflooring.example.com",
    "address_line1": "200 Mission St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}
_TYPES = "The vendor's contact types (at least one), ids from `/v1/contact-types`."


class VendorCreate(InputSchema):
    name: NonBlankText = Field(max_length=200, description="The company's or person's name.")
    contact_person: Text | None = Field(default=None, max_length=200)
    email: Email | None = None
    phone: Phone | None = None
    alt_phone: Phone | None = None
    website: Website | None = None
    address_line1: Text | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: Country | None = None
    contact_type_ids: list[uuid.UUID] = Field(min_length=1, max_length=20, description=_TYPES)
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Values keyed by custom field `key` (entity `vendor`)."
    )

    # The example names no contact type: ids are the company's own (the probes supply them).
    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class VendorUpdate(UpdateSchema):
    nullable = frozenset(RECORD_FIELDS) - {"name"}

    name: NonBlankText | Omitted = Field(default=None, max_length=200)
    contact_person: Text | None = Field(default=None, max_length=200)
    email: Email | None = None
    phone: Phone | None = None
    alt_phone: Phone | None = None
    website: Website | None = None
    address_line1: Text | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: Country | None = None
    contact_type_ids: list[uuid.UUID] | Omitted = Field(
        default=None, min_length=1, max_length=20, description=_TYPES + " Replaces them."
    )
    tag_ids: list[uuid.UUID] | Omitted = Field(
        default=None, max_length=50, description="Replaces the vendor's tags."
    )
    custom_fields: dict[str, Any] | Omitted = Field(
        default=None, description="Merged into the current values; a null value removes one."
    )

    model_config = {"json_schema_extra": {"examples": [{"contact_person": "Alex Kim"}]}}


class VendorTagRead(ReadSchema):
    id: uuid.UUID
    name: str
    color: str | None


class VendorContactTypeRead(ReadSchema):
    id: uuid.UUID
    name: str


class VendorRead(ReadSchema):
    id: uuid.UUID
    name: str
    contact_person: str | None
    email: str | None
    phone: str | None
    alt_phone: str | None
    website: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    contact_types: list[VendorContactTypeRead] = Field(description="By position.")
    tags: list[VendorTagRead] = Field(description="By name.")
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
