from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from app.kit.schemas import NonBlankText, Omitted, ReadSchema, Text, UpdateSchema

NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 10_000

NAME = "What the attachment is called in lists (`Site map`); the file name when not given."
VISIBLE_TO_FIELD = (
    "Whether field staff (callers without `customers:office`) see it. When not given: false "
    "for a caller holding `customers:office`, else true; making it false needs "
    "`customers:office` (403)."
)
LOCATION = "One of this customer's service locations (422 naming `location_id` otherwise)."
EQUIPMENT = "A piece of this customer's equipment (422 naming `equipment_id` otherwise)."


class AttachmentRead(ReadSchema):
    id: uuid.UUID
    customer_id: uuid.UUID
    location_id: uuid.UUID | None = Field(description="The service location it is about.")
    equipment_id: uuid.UUID | None = Field(
        description="The equipment it is about (a manual, a nameplate photo)."
    )
    name: str = Field(description=NAME)
    description: str | None
    visible_to_field: bool = Field(description="Whether field staff see it.")
    filename: str = Field(
        description="The name it was uploaded with, without any folder part; the download "
        "offers it again (`Content-Disposition`)."
    )
    content_type: str = Field(
        description="The media type it was uploaded with (`application/octet-stream` when "
        "none or an invalid one was given); the download is served with it."
    )
    size: int = Field(description="In bytes.")
    sha256: str = Field(description="Hex SHA-256 of the content, to verify a download.")
    uploaded_by: uuid.UUID | None = Field(
        description="The user who uploaded it (for an API key, the key's creator)."
    )
    created_at: datetime
    updated_at: datetime


class AttachmentFields(UpdateSchema):
    """The metadata form fields of an upload, each optional (beside the `file` part, which
    is why other parts are not refused here)."""

    name: NonBlankText | Omitted = Field(default=None, max_length=NAME_MAX_LENGTH, description=NAME)
    description: Text | Omitted = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    location_id: uuid.UUID | Omitted = Field(default=None, description=LOCATION)
    equipment_id: uuid.UUID | Omitted = Field(default=None, description=EQUIPMENT)
    visible_to_field: bool | Omitted = Field(default=None, description=VISIBLE_TO_FIELD)

    model_config = ConfigDict(extra="ignore")


class AttachmentUpdate(UpdateSchema):
    """The metadata to change; the content stays (upload a new attachment for new bytes)."""

    nullable = frozenset({"description", "location_id", "equipment_id"})

    name: NonBlankText | Omitted = Field(default=None, max_length=NAME_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    location_id: uuid.UUID | None = Field(default=None, description=LOCATION)
    equipment_id: uuid.UUID | None = Field(default=None, description=EQUIPMENT)
    visible_to_field: bool | Omitted = Field(
        default=None, description="Making it false needs `customers:office` (403)."
    )

    model_config = {
        "json_schema_extra": {"examples": [{"name": "Site map", "visible_to_field": True}]}
    }
