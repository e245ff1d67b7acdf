from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.kit.schemas import Email, InputSchema, NonBlankText, Omitted, ReadSchema, UpdateSchema


class UserRead(ReadSchema):
    id: uuid.UUID
    email: str
    name: str
    is_admin: bool
    is_active: bool
    group_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class UserCreate(InputSchema):
    email: Email
    name: NonBlankText = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=128)
    is_admin: bool = False
    group_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "email": "ivan@acme.example",
                    "name": "Ivan Installer",
                    "password": "long-enough-secret",
                    "group_ids": [],
                }
            ]
        }
    }


class UserUpdate(UpdateSchema):
    email: Email | Omitted = None
    name: NonBlankText | Omitted = Field(default=None, min_length=1, max_length=200)
    password: str | Omitted = Field(default=None, min_length=10, max_length=128)
    is_admin: bool | Omitted = None
    group_ids: list[uuid.UUID] | Omitted = Field(default=None, max_length=100)

    model_config = {"json_schema_extra": {"examples": [{"name": "Ivan the Installer"}]}}


class DirectoryUserRead(ReadSchema):
    """A user as a picker shows them to anyone of the company: who, nothing more."""

    id: uuid.UUID
    name: str
