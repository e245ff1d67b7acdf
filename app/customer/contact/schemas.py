from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.kit.phone import Phone
from app.kit.schemas import Email, InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

_PRIMARY = (
    "The customer's primary contact (exactly one per customer). True makes this contact "
    "primary and the previous one not; the first contact of a customer is primary whatever "
    "this says."
)


class ContactRead(ReadSchema):
    id: uuid.UUID
    customer_id: uuid.UUID
    title: str | None
    first_name: str
    last_name: str | None
    phone: str | None = Field(description="E.164.")
    email: str | None
    is_primary: bool
    created_at: datetime
    updated_at: datetime


class ContactCreate(InputSchema):
    title: NonBlankText | None = Field(default=None, max_length=100, description="Mr, Ms, Dr…")
    first_name: NonBlankText = Field(max_length=100)
    last_name: NonBlankText | None = Field(default=None, max_length=100)
    phone: Phone | None = None
    email: Email | None = None
    is_primary: bool = Field(default=False, description=_PRIMARY)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Ms",
                    "first_name": "Dana",
                    "last_name": "Site-Manager",
                    "phone": "(415) 555-0132",
                    "email": "dana@example.com",
                    "is_primary": True,
                }
            ]
        }
    }


class ContactUpdate(UpdateSchema):
    nullable = frozenset({"title", "last_name", "phone", "email"})

    title: NonBlankText | None = Field(default=None, max_length=100)
    first_name: NonBlankText | Omitted = Field(default=None, max_length=100)
    last_name: NonBlankText | None = Field(default=None, max_length=100)
    phone: Phone | None = None
    email: Email | None = None
    is_primary: bool | Omitted = Field(
        default=None,
        description="True makes this contact the primary one. The primary contact cannot be "
        "unset with false: make another contact primary instead.",
    )

    model_config = {"json_schema_extra": {"examples": [{"phone": "+1 415 555 0199"}]}}
