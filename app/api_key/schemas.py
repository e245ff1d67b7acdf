from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.group.schemas import GrantablePermission
from app.kit.schemas import InputSchema, NonBlankText, ReadSchema


class ApiKeyRead(ReadSchema):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's public start; the secret is never shown again.")
    permissions: list[str]
    created_by_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key. Shown once: store it now.")


class ApiKeyCreate(InputSchema):
    name: NonBlankText = Field(min_length=1, max_length=100)
    permissions: list[GrantablePermission] = Field(
        min_length=1, max_length=100, description="A subset of your own permissions."
    )

    model_config = {
        "json_schema_extra": {"examples": [{"name": "Zapier", "permissions": ["customers:read"]}]}
    }
