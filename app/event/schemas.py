from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

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


class FeedEventRead(EventRead):
    tombstone: bool = Field(
        description="The record was deleted: `before` holds its last state, `after` is null."
    )


class FeedPage(BaseModel):
    data: list[FeedEventRead]
    has_more: bool = Field(description="More events are ready now: ask again at once.")
    next_cursor: str = Field(
        description="Pass as `after` to continue, also when `data` is empty (poll with it)."
    )
