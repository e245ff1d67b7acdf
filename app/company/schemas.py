from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, Field

from app.kit.schemas import NonBlankText, Omitted, ReadSchema, UpdateSchema, WholeNumber

MAX_PAYMENT_TERMS_DAYS = 365
MAX_WARRANTY_REMINDER_DAYS = 365
MAX_WARRANTY_RECIPIENTS = 50

_WARRANTY_REMINDER_DAYS = (
    "How many days before a warranty expires its recipients are notified (0: on the day); "
    "equipment whose expiry is that close counts as `expiring`."
)
_WARRANTY_RECIPIENTS = (
    "The users notified of expiring equipment warranties: active users of the company. "
    "Empty: the company's admins."
)


class CompanyRead(ReadSchema):
    id: uuid.UUID
    name: str
    slug: str
    currency: str = Field(description="ISO 4217; every amount of the company is in it.")
    timezone: str = Field(description="IANA name; dates such as 'today' and 'overdue' use it.")
    payment_terms_days: int = Field(
        description="Days from an invoice's issue to its due date when the invoice gives none."
    )
    warranty_reminder_days: int = Field(description=_WARRANTY_REMINDER_DAYS)
    warranty_expiry_recipient_ids: list[uuid.UUID] = Field(description=_WARRANTY_RECIPIENTS)
    created_at: datetime


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError("is not a known IANA timezone name, such as America/New_York")
    return value


# What the contract can say of a name; which names exist is the system's tz database.
Timezone = Annotated[
    str,
    AfterValidator(_known_timezone),
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"),
]


PaymentTermsDays = Annotated[
    int,
    Field(
        strict=True,
        ge=0,
        le=MAX_PAYMENT_TERMS_DAYS,
        description="Days from an invoice's issue to its due date when the invoice gives none.",
    ),
    WholeNumber,
]


WarrantyReminderDays = Annotated[
    int,
    Field(strict=True, ge=0, le=MAX_WARRANTY_REMINDER_DAYS, description=_WARRANTY_REMINDER_DAYS),
    WholeNumber,
]


class CompanyUpdate(UpdateSchema):
    name: NonBlankText | Omitted = Field(default=None, max_length=200)
    timezone: Timezone | Omitted = Field(
        default=None, description="An IANA timezone name, e.g. `America/New_York`."
    )
    payment_terms_days: PaymentTermsDays | Omitted = None
    warranty_reminder_days: WarrantyReminderDays | Omitted = None
    warranty_expiry_recipient_ids: list[uuid.UUID] | Omitted = Field(
        default=None,
        max_length=MAX_WARRANTY_RECIPIENTS,
        description=_WARRANTY_RECIPIENTS + " Replaces the list.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"timezone": "America/Los_Angeles", "payment_terms_days": 14}]
        }
    }
