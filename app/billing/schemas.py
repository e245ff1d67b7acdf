from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.billing.plans import Interval, PlanCode
from app.kit.schemas import WholeNumber


class PlanPrice(BaseModel):
    interval: Interval
    amount: int = Field(description="Minor units, per interval.")
    currency: str


class PlanRead(BaseModel):
    code: PlanCode
    name: str
    max_users: int
    prices: list[PlanPrice]


class UsersRead(BaseModel):
    used: int = Field(description="Active users now.")
    limit: int = Field(description="The most active users the plan allows.")


class NextPayment(BaseModel):
    amount: int = Field(description="Minor units, from Stripe's upcoming invoice.")
    currency: str
    date: datetime


class CardRead(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class BillingRead(BaseModel):
    plan: PlanCode
    interval: Interval
    status: str = Field(
        description="Stripe's subscription status (`active`, `past_due`, `canceled`, ...), "
        "or `none` before the first subscription."
    )
    past_due: bool = Field(description="The last payment failed; Stripe is retrying it.")
    users: UsersRead
    balance: int = Field(
        description="Stripe's customer balance in minor units: negative is a credit that "
        "pays toward the next invoices (a downgrade's difference lands here)."
    )
    currency: str
    current_period_end: datetime | None
    next_payment: NextPayment | None
    card: CardRead | None
    plans: list[PlanRead] = Field(description="The plans one can change to.")
    synced_at: datetime | None = Field(description="When this was last read from Stripe.")


class SetupIntentRead(BaseModel):
    id: str
    client_secret: str = Field(
        description="Give it to Stripe.js (`stripe.confirmCardSetup`) to collect the card; "
        "then send the payment method's id to `PUT /v1/billing/payment-method`."
    )


class PaymentMethodSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"payment_method_id": "pm_1Q2w3E4r"}]}
    )

    payment_method_id: str = Field(min_length=4, max_length=255, pattern=r"^pm_[A-Za-z0-9_]+$")


class SubscriptionChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"plan": "plus", "interval": "month"}]}
    )

    plan: PlanCode
    interval: Interval = "month"
    proration_date: (
        Annotated[int, Field(strict=True, ge=0, le=253_402_300_799), WholeNumber] | None
    ) = Field(
        default=None,
        description="Unix time the proration is computed at. Send the preview's value to be "
        "charged exactly what the preview showed; omitted, it is now.",
    )


class ProrationLine(BaseModel):
    description: str
    amount: int = Field(description="Minor units; negative is a credit.")
    proration: bool
    period_start: datetime
    period_end: datetime


class SubscriptionPreview(BaseModel):
    plan: PlanCode
    interval: Interval
    change: Literal["new", "upgrade", "downgrade", "none"]
    proration_behavior: Literal["always_invoice", "create_prorations", "none"] = Field(
        description="`always_invoice`: the difference is charged now; `create_prorations`: "
        "it is credited and settled on the next invoice."
    )
    proration_date: int
    lines: list[ProrationLine]
    amount_due: int = Field(
        description="Minor units: what the invoice shown asks for, after the credit balance."
    )
    currency: str
    charged_at: datetime | None = Field(
        description="When that amount is charged: now for a new subscription or an upgrade, "
        "the next renewal for a downgrade."
    )


class StripeEventIn(BaseModel):
    """What a webhook body must at least hold to be stored: a Stripe event."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=255)
    type: str = Field(min_length=1, max_length=100)
    # A Unix time; beyond year 9999 is no time at all.
    created: Annotated[int, Field(strict=True, ge=0, le=253_402_300_799), WholeNumber]
    data: dict[str, dict[str, Any]] = Field(
        description="`object`: the object the event is about, as it was then.",
        json_schema_extra={"required": ["object"]},
    )

    @field_validator("data")
    @classmethod
    def _has_object(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if "object" not in value:
            raise ValueError("data.object is required")
        return value
