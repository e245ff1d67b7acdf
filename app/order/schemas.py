from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from app.customer.schemas import CustomerCreate
from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, Text, UpdateSchema
from app.order.assignee.schemas import AssigneeRead
from app.order.line.schemas import OrderLineRead
from app.order.payment.schemas import InvoiceRead, PaymentRead

OrderSource = Literal["staff", "api", "public_form"]
Stage = Literal["quote", "open", "done", "lost"]
ReviewState = Literal["pending", "accepted"]

_EXAMPLE: dict[str, Any] = {
    "title": "Replace water heater",
    "description": "50 gal gas, haul away the old unit",
    "referral": "Neighbour",
    "scheduled_on": "2026-12-01",
}


_LOCATION = (
    "Where the work is done: one of the order's customer's service locations (a 422 names "
    "this field for another customer's; another company's is a 404)."
)
_CONTACT = "Who to deal with: one of the order's customer's contacts (a 422 otherwise)."
_CUSTOMER_CHANGE = (
    " A change of `customer_id` clears the order's `location_id` and `contact_id` (and its "
    "appointments' locations), which belonged to the previous customer, unless the same "
    "request names new ones."
)


class OrderCreate(InputSchema):
    title: NonBlankText = Field(max_length=200)
    description: Text | None = Field(default=None, max_length=10_000)
    customer_id: uuid.UUID | None = Field(
        default=None,
        description="The customer; without it (and without `customer`) the company's "
        "default customer, if it has one.",
    )
    customer: CustomerCreate | None = Field(
        default=None,
        description="A new customer to create with the order, in the same transaction and "
        "with the same duplicate check as `POST /v1/customers` (needs `customers:write`).",
    )
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    contact_id: uuid.UUID | None = Field(default=None, description=_CONTACT)
    status_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the company's default status."
    )
    source: OrderSource | None = Field(
        default=None, description="Defaults to `api` for API keys, `staff` otherwise."
    )
    referral: Text | None = Field(default=None, max_length=200)
    reminder_on: date | None = None
    scheduled_on: date | None = None
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Values keyed by custom field `key` (entity `order`)."
    )

    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}


class OrderUpdate(UpdateSchema):
    nullable = frozenset(
        {
            "description",
            "customer_id",
            "location_id",
            "contact_id",
            "referral",
            "reminder_on",
            "scheduled_on",
        }
    )

    title: NonBlankText | Omitted = Field(default=None, max_length=200)
    description: Text | None = Field(default=None, max_length=10_000)
    customer_id: uuid.UUID | None = Field(default=None, description=_CUSTOMER_CHANGE.strip())
    location_id: uuid.UUID | None = Field(default=None, description=_LOCATION)
    contact_id: uuid.UUID | None = Field(default=None, description=_CONTACT)
    status_id: uuid.UUID | Omitted = None
    source: OrderSource | Omitted = None
    referral: Text | None = Field(default=None, max_length=200)
    reminder_on: date | None = None
    scheduled_on: date | None = None
    custom_fields: dict[str, Any] | Omitted = Field(
        default=None, description="Merged into the current values; null removes a key."
    )

    model_config = {"json_schema_extra": {"examples": [{"title": "Replace water heater (50 gal)"}]}}


class OrderStatusBrief(ReadSchema):
    id: uuid.UUID
    name: str
    color: str
    stage: Stage
    counts_as_sold: bool


class OrderRead(ReadSchema):
    id: uuid.UUID
    number: int
    title: str
    description: str | None
    customer_id: uuid.UUID | None
    customer_name: str | None = Field(
        description="Kept when the customer is deleted (then `customer_id` is null)."
    )
    location_id: uuid.UUID | None = Field(
        description="The customer's service location where the work is done."
    )
    contact_id: uuid.UUID | None = Field(description="The customer's contact for this order.")
    status: OrderStatusBrief
    source: OrderSource
    referral: str | None
    review_state: ReviewState | None = Field(
        description="`pending` while an order from the public form waits for review "
        "(`POST /v1/orders/{id}/review`), then `accepted`; null for other orders."
    )
    reminder_on: date | None
    scheduled_on: date | None
    custom_fields: dict[str, Any]
    currency: str
    subtotal: int = Field(description="Minor units: the sum of the line totals.")
    total: int = Field(description="Minor units.")
    amount_paid: int = Field(description="Minor units: the sum of the payments.")
    balance_due: int = Field(description="Minor units: total - amount_paid.")
    invoice: InvoiceRead | None = Field(description="Null until the order is invoiced.")
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class OrderDetail(OrderRead):
    lines: list[OrderLineRead]
    payments: list[PaymentRead] | None = Field(
        description="Null when the caller lacks `payments:read`."
    )
    assignees: list[AssigneeRead]
