from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.kit.schemas import ReadSchema


class OrderFileRead(ReadSchema):
    id: uuid.UUID
    order_id: uuid.UUID
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
