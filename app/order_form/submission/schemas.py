"""A visitor's submission of the public order form, and what the public API shows of a form.
The fields a form asks for are the company's choice: this schema takes every field any form
can have, and the service checks them against the form (app.order_form.submission.service)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import Field

from app.kit.phone import Phone
from app.kit.schemas import Email, InputSchema, NonBlankText, ReadSchema, Text
from app.order_form.schemas import FormStyle

_EXAMPLE: dict[str, Any] = {
    "name": "Grace Visitor",
    "email": "grace@example.com",
    "phone": "+1 415 555 0100",
    "message": "Our water heater leaks; can someone come this week?",
    "referral": "Friend or family",
    "website": "",
    "form_token": "<the form_token from GET /v1/public/forms/{slug}>",
}


class SubmissionCreate(InputSchema):
    name: NonBlankText = Field(max_length=200)
    email: Email | None = None
    phone: Phone | None = None
    address_line1: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    message: Text | None = Field(default=None, max_length=5000)
    preferred_date: date | None = None
    referral: Text | None = Field(default=None, max_length=200)
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, max_length=60, description="Values keyed by custom field key."
    )
    website: str | None = Field(
        default=None, max_length=500, description="Leave empty: a field people never see."
    )
    form_token: str = Field(
        max_length=1000, description="The `form_token` of `GET /v1/public/forms/{slug}`."
    )

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class SubmissionAccepted(ReadSchema):
    reference: uuid.UUID = Field(description="Quote it when contacting the company.")
    thank_you_message: str


class PublicFieldRead(ReadSchema):
    name: str = Field(
        description="What to send it as: a body field, or `custom_fields.<key>` for `cf.<key>`."
    )
    label: str
    type: Literal["text", "email", "tel", "textarea", "date", "select", "number", "boolean"]
    required: bool
    options: list[str]


class PublicFormRead(ReadSchema):
    company_name: str
    fields: list[PublicFieldRead]
    referral_options: list[str]
    style: FormStyle
    logo_url: str | None
    form_token: str = Field(
        description="Send it back with the submission (it expires after a day)."
    )
