from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from app.kit.schemas import ReadSchema


class EventRead(ReadSchema):
    id: uuid.UUID
    type: str
    entity_type: str
    entity_id: uuid.UUID
    parent_type: str | None = Field(description="The record a child belongs to, e.g. `customer`.")
    parent_id: uuid.UUID | None
    actor_user_id: uuid.UUID | None
    actor_api_key_id: uuid.UUID | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime
