from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from app.kit.schemas import InputSchema, Omitted, ReadSchema, UpdateSchema

AssigneeRole = Literal["salesperson", "installer", "other"]

_ROLE = "What the user does on this order."


class AssigneeRead(ReadSchema):
    """A user associated with an order (seed 000's user order associations)."""

    user_id: uuid.UUID
    user_name: str
    role: AssigneeRole
    created_at: datetime = Field(description="When the user was associated with the order.")


class OrderAssigneeCreate(InputSchema):
    user_id: uuid.UUID = Field(description="An active user of the company.")
    role: AssigneeRole = Field(description=_ROLE)

    model_config = {
        "json_schema_extra": {
            "examples": [{"user_id": "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f", "role": "installer"}]
        }
    }


class OrderAssigneeUpdate(UpdateSchema):
    role: AssigneeRole | Omitted = Field(default=None, description=_ROLE)

    model_config = {"json_schema_extra": {"examples": [{"role": "salesperson"}]}}
