from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.auth import permissions
from app.kit.schemas import InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema

# A permission a group or an API key may be granted. The contract lists them; the service
# refuses any other name (unknown or admin-only) with a 422 that says which and why.
GrantablePermission = Annotated[
    str, Field(json_schema_extra={"enum": sorted(permissions.GRANTABLE)})
]


class GroupRead(ReadSchema):
    id: uuid.UUID
    name: str
    permissions: list[str]
    created_at: datetime
    updated_at: datetime


class GroupCreate(InputSchema):
    name: NonBlankText = Field(min_length=1, max_length=100)
    permissions: list[GrantablePermission] = Field(default_factory=list, max_length=100)

    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Office", "permissions": ["customers:read", "orders:read"]}]
        }
    }


class GroupUpdate(UpdateSchema):
    name: NonBlankText | Omitted = Field(default=None, min_length=1, max_length=100)
    permissions: list[GrantablePermission] | Omitted = Field(default=None, max_length=100)

    model_config = {"json_schema_extra": {"examples": [{"name": "Office staff"}]}}
