from __future__ import annotations

import uuid
from datetime import date

from pydantic import ConfigDict, Field

from app.kit.schemas import ReadSchema

RATIO_PATTERN = r"^[01]\.[0-9]{4}$"


class SalesRowRead(ReadSchema):
    user_id: uuid.UUID
    name: str
    orders: int = Field(description="Orders created in the period that the user is on.")
    sold_orders: int = Field(description="Of those, the ones in a `counts_as_sold` status.")
    sold_ratio: str | None = Field(
        json_schema_extra={"pattern": RATIO_PATTERN},
        description="sold_orders / orders as a decimal string rounded half-to-even to 4 "
        'places ("0.6667"); null when the user has no orders in the period.',
    )
    sold_amount: int = Field(description="Total of the sold orders, in minor units.")
    payments_collected: int = Field(
        description="Payments dated in the period on any order the user is on, whenever "
        "that order was created, in minor units."
    )


class SalesReportRead(ReadSchema):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    currency: str = Field(description="The company's currency (ISO 4217).")
    data: list[SalesRowRead] = Field(description="One row per user, largest sold amount first.")


class BucketRead(ReadSchema):
    count: int
    amount: int = Field(description="Balance due, in minor units.")


class ReceivablesRead(ReadSchema):
    """Invoiced orders with a balance due, by days past their due date."""

    as_of: date = Field(description="Today in the company's timezone.")
    currency: str = Field(description="The company's currency (ISO 4217).")
    current: BucketRead = Field(description="Not yet due, or due today.")
    days_1_30: BucketRead
    days_31_60: BucketRead
    days_61_90: BucketRead
    days_over_90: BucketRead
    total: BucketRead
