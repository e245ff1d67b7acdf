from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.kit.schemas import InputSchema, ReadSchema, Text

PaymentMethod = Literal["cash", "check", "card", "bank_transfer", "other"]
PaymentStateName = Literal["unpaid", "partially_paid", "paid"]
# Far above any real payment, and a sum of them still fits a BIGINT.
MAX_PAYMENT_AMOUNT = 10**16


class PaymentRead(ReadSchema):
    id: uuid.UUID
    order_id: uuid.UUID
    amount: int = Field(description="Minor units of the company's currency (cents for USD).")
    paid_on: date
    method: PaymentMethod
    reference: str | None
    note: str | None
    recorded_by: uuid.UUID | None = Field(
        description="The user who recorded it (for an API key, the key's creator)."
    )
    created_at: datetime


class PaymentCreate(InputSchema):
    amount: int = Field(
        gt=0,
        le=MAX_PAYMENT_AMOUNT,
        description="Minor units; at most the order's balance due (more is a 422).",
    )
    paid_on: date | None = Field(
        default=None, description="Defaults to today in the company's timezone."
    )
    method: PaymentMethod = "other"
    reference: Text | None = Field(
        default=None, max_length=100, description="Check number, card authorisation, ..."
    )
    note: Text | None = Field(default=None, max_length=10_000)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"amount": 2500, "paid_on": "2026-11-23", "method": "check", "reference": "1042"}
            ]
        }
    }


class InvoiceRead(ReadSchema):
    """An order's invoice and its derived payment state."""

    issued_on: date
    due_on: date | None
    payment_state: PaymentStateName = Field(
        description="`unpaid`, `partially_paid` or `paid`, from the order's total and payments."
    )
    is_overdue: bool = Field(
        description="Past its due date (in the company's timezone) with a balance due."
    )


class InvoiceCreate(InputSchema):
    issued_on: date | None = Field(
        default=None, description="Defaults to today in the company's timezone."
    )
    due_on: date | None = Field(
        default=None,
        description="Defaults to `issued_on` plus the company's payment terms "
        "(`payment_terms_days` of `GET /v1/company`); not before `issued_on`.",
    )

    model_config = {
        "json_schema_extra": {"examples": [{"issued_on": "2026-11-23", "due_on": "2026-12-23"}]}
    }
