from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from app.customer.models import RECORD_FIELDS
from app.kit.phone import Phone
from app.kit.schemas import (
    Email,
    InputSchema,
    NonBlankText,
    Omitted,
    ReadSchema,
    Text,
    UpdateSchema,
)

CustomerStatus = Literal["active", "disabled"]
Country = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. `US`.")

_EXAMPLE: dict[str, Any] = {
    "name": "Jane Homeowner",
    "email": "jane@example.com",
    "phone": "(415) 555-0132",
    "address_line1": "1 Market St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country": "US",
}


class CustomerCreate(InputSchema):
    name: NonBlankText = Field(max_length=200)
    account_number: NonBlankText | None = Field(default=None, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    alt_phone: Phone | None = None
    status: CustomerStatus = "active"
    address_line1: Text | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: str | None = Country
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Values keyed by custom field `key`."
    )
    is_default: bool = Field(
        default=False, description="The company's default customer (at most one)."
    )
    confirm_duplicate: bool = Field(
        default=False,
        description="Create even though a customer with the same name, email or phone exists.",
    )

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class CustomerUpdate(UpdateSchema):
    nullable = frozenset(RECORD_FIELDS) - {"name", "status"}

    name: NonBlankText | Omitted = Field(default=None, max_length=200)
    account_number: NonBlankText | None = Field(default=None, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    alt_phone: Phone | None = None
    status: CustomerStatus | Omitted = None
    address_line1: Text | None = Field(default=None, max_length=200)
    address_line2: Text | None = Field(default=None, max_length=200)
    city: Text | None = Field(default=None, max_length=100)
    region: Text | None = Field(default=None, max_length=100)
    postal_code: Text | None = Field(default=None, max_length=20)
    country: str | None = Country
    tag_ids: list[uuid.UUID] | Omitted = Field(default=None, max_length=50)
    custom_fields: dict[str, Any] | Omitted = Field(
        default=None, description="Merged into the current values; a null value removes one."
    )
    is_default: bool | Omitted = None

    model_config = {"json_schema_extra": {"examples": [{"phone": "+1 415 555 0199"}]}}


class CustomerTagRead(ReadSchema):
    id: uuid.UUID
    name: str
    color: str | None


class CustomerRead(ReadSchema):
    id: uuid.UUID
    number: int
    name: str
    account_number: str | None
    email: str | None
    phone: str | None
    alt_phone: str | None
    status: CustomerStatus
    address_line1: str | None
    address_line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    tags: list[CustomerTagRead]
    custom_fields: dict[str, Any]
    is_default: bool
    balance: int = Field(description="Amount owed, in minor units of the company's currency.")
    is_lead: bool = Field(description="True while the customer has no orders.")
    created_at: datetime = Field(description="The date the customer joined.")
    updated_at: datetime


class DuplicateRead(ReadSchema):
    id: uuid.UUID
    number: int
    name: str
    email: str | None
    phone: str | None
    reasons: list[Literal["name", "email", "phone", "similar_name"]]
    score: float = Field(description="1 for an exact match, else the name's trigram similarity.")


class DuplicateList(ReadSchema):
    data: list[DuplicateRead]


_BULK_IDS = Field(min_length=1, max_length=1000, description="Up to 1,000 customer ids.")


class CustomerBulkStatus(InputSchema):
    action: Literal["enable", "disable", "delete"]
    ids: list[uuid.UUID] = _BULK_IDS

    model_config = {
        "json_schema_extra": {
            "examples": [{"action": "disable", "ids": ["01900000-0000-7000-8000-000000000001"]}]
        }
    }


class CustomerBulkUpdate(InputSchema):
    action: Literal["update"]
    ids: list[uuid.UUID] = _BULK_IDS
    fields: CustomerUpdate = Field(description="The fields to set on every customer.")


class CustomerBulkTags(InputSchema):
    action: Literal["add_tags", "remove_tags"]
    ids: list[uuid.UUID] = _BULK_IDS
    tag_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)


CustomerBulk = Annotated[
    CustomerBulkStatus | CustomerBulkUpdate | CustomerBulkTags, Field(discriminator="action")
]


class BulkItemRead(ReadSchema):
    id: uuid.UUID
    status: Literal["ok", "not_found", "error"]
    problem: dict[str, Any] | None = Field(
        default=None, description="For `error`: the problem document of that item."
    )


class BulkRead(ReadSchema):
    data: list[BulkItemRead]


class PendingQuotesRead(ReadSchema):
    count: int
    total: int = Field(description="The quotes' order totals, in minor units of `currency`.")


class TallyRead(ReadSchema):
    count: int
    amount: int = Field(description="Balance due, in minor units of `currency`.")


class CustomerSummaryRead(ReadSchema):
    """The account summary (seed 002). Money in minor units of `currency`."""

    pending_quotes: PendingQuotesRead = Field(description="Orders in a `quote`-stage status.")
    awaiting_payment: TallyRead = Field(
        description="Invoiced orders not yet past due (due today included) with a balance due."
    )
    overdue: TallyRead = Field(description="Invoiced orders past due with a balance due.")
    lifetime_value: int = Field(description="All payments received on the customer's orders.")
    last_order_at: datetime | None = Field(description="When the newest order was created.")
    balance: int = Field(description="The customer's balance, as on the customer record.")
    currency: str = Field(description="The company's currency (ISO 4217).")
    as_of: date = Field(description="Today in the company's timezone, which due dates meet.")
