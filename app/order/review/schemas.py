from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from app.kit.schemas import InputSchema, ReadSchema


class OrderReview(InputSchema):
    decision: Literal["accept", "reject"] = Field(
        description="`accept` keeps the order and its customer; `reject` deletes the order, "
        "and its customer too when the submission created it and nothing else hangs off it."
    )

    model_config = {"json_schema_extra": {"examples": [{"decision": "accept"}]}}


class OrderReviewResult(ReadSchema):
    order_id: uuid.UUID
    decision: Literal["accept", "reject"]
    review_state: Literal["accepted"] | None = Field(description="Null once rejected (deleted).")
    order_deleted: bool
    customer_deleted: bool
