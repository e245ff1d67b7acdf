"""The form's settings as the API shows and takes them. Every value that reaches the hosted
page's CSS is validated here (colours `#RRGGBB`, a font from a fixed list, a radius in
pixels): no free-form CSS is offered, so nothing a company types is pasted into a style."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictBool, model_validator

from app.kit.schemas import (
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    UpdateSchema,
    WholeNumber,
)

Color = Annotated[
    str,
    Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`, stored upper-case."),
    AfterValidator(str.upper),
]

# Font keys a company may pick, each with the CSS stack the page uses (no web fonts: the CSP
# allows no third-party origin).
FONTS: dict[str, str] = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "sans-serif": "Helvetica, Arial, sans-serif",
    "serif": 'Georgia, "Times New Roman", serif',
    "monospace": 'ui-monospace, Menlo, Consolas, "Courier New", monospace',
    "arial": "Arial, Helvetica, sans-serif",
    "verdana": "Verdana, Geneva, sans-serif",
    "georgia": "Georgia, serif",
    "trebuchet": '"Trebuchet MS", Helvetica, sans-serif',
}
Font = Literal[
    "system", "sans-serif", "serif", "monospace", "arial", "verdana", "georgia", "trebuchet"
]

# The form's own fields besides the name (always shown and required).
BUILTIN_FIELDS = ("phone", "email", "address", "message", "preferred_date", "referral")
CUSTOM_FIELD_PREFIX = "cf."
_FIELD_NAME = re.compile(
    r"^(phone|email|address|message|preferred_date|referral|cf\.[a-z0-9_]{1,50})$"
)
_ORIGIN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$"


class FormStyle(InputSchema):
    """The Style tab: colours, font and corner radius of the hosted page."""

    header_color: Color = "#1F3A5F"
    button_color: Color = "#1F6FEB"
    button_text_color: Color = "#FFFFFF"
    background_color: Color = "#FFFFFF"
    text_color: Color = "#1F2328"
    font_family: Font = "system"
    corner_radius: Annotated[int, Field(strict=True, ge=0, le=24), WholeNumber] = Field(
        default=6, description="Pixels."
    )


class FieldSetting(InputSchema):
    shown: StrictBool = True
    required: StrictBool = Field(default=False, description="A required field is shown.")

    @model_validator(mode="after")
    def _required_is_shown(self) -> FieldSetting:
        if self.required:
            self.shown = True
        return self


def _field_names(value: dict[str, FieldSetting]) -> dict[str, FieldSetting]:
    for name in value:
        if not _FIELD_NAME.match(name):
            raise ValueError(
                f"unknown field {name!r}: one of {', '.join(BUILTIN_FIELDS)} "
                "or cf.<custom field key>"
            )
    return value


FieldSettings = Annotated[
    dict[str, FieldSetting],
    AfterValidator(_field_names),
    Field(
        max_length=60,
        json_schema_extra={"propertyNames": {"pattern": _FIELD_NAME.pattern}},
        description="Per field (`phone`, `email`, `address`, `message`, `preferred_date`, "
        "`referral`, or `cf.<key>` of a customer or order custom field): shown and required. "
        "A field left out is hidden. The customer's name is always asked.",
    ),
]
Origin = Annotated[str, Field(pattern=_ORIGIN, max_length=200)]
Position = Annotated[int, Field(strict=True, ge=0, le=10_000), WholeNumber]

_EXAMPLE: dict[str, Any] = {
    "enabled": True,
    "fields": {
        "email": {"shown": True, "required": True},
        "phone": {"shown": True, "required": False},
        "message": {"shown": True, "required": False},
        "referral": {"shown": True, "required": False},
    },
    "thank_you_message": "Thanks! We will call you within one business day.",
    "style": {"header_color": "#1F3A5F", "button_color": "#1F6FEB", "font_family": "system"},
    "allowed_origins": ["https://www.example.com"],
    "review_recipient_ids": [],
}


class OrderFormUpdate(InputSchema):
    """The whole settings (PUT replaces them)."""

    enabled: StrictBool
    fields: FieldSettings
    thank_you_message: NonBlankText = Field(max_length=2000)
    style: FormStyle = Field(default_factory=FormStyle)
    allowed_origins: list[Origin] = Field(
        default_factory=list,
        max_length=20,
        description="Origins (`https://www.example.com`) that may embed the form in a frame "
        "(CSP `frame-ancestors`) and call the public API from a browser (CORS).",
    )
    review_recipient_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Users notified of each submission (active users of the company); "
        "empty: the company's admins.",
    )

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class OrderFormRead(ReadSchema):
    enabled: bool
    slug: str = Field(
        description="The form's address: `/f/{slug}` (page), `/v1/public/forms/{slug}`."
    )
    fields: dict[str, FieldSetting]
    thank_you_message: str
    style: FormStyle
    logo_url: str | None
    allowed_origins: list[str]
    review_recipient_ids: list[uuid.UUID]
    referral_options: list[str] = Field(
        description="What the form offers: the company's active options, else Trackr's defaults."
    )
    updated_at: datetime | None


class ReferralOptionRead(ReadSchema):
    id: uuid.UUID
    label: str
    position: int
    active: bool
    created_at: datetime
    updated_at: datetime


class ReferralOptionCreate(InputSchema):
    label: NonBlankText = Field(max_length=100, description="Unique in the company, ignoring case.")
    position: Position = 0
    active: StrictBool = True

    model_config = {"json_schema_extra": {"examples": [{"label": "Home show", "position": 1}]}}


class ReferralOptionUpdate(UpdateSchema):
    label: NonBlankText | Omitted = Field(default=None, max_length=100)
    position: Position | Omitted = None
    active: StrictBool | Omitted = None

    model_config = {"json_schema_extra": {"examples": [{"active": False}]}}
