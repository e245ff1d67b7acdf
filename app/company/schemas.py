from __future__ import annotations

import uuid
from datetime import datetime

from app.kit.schemas import ReadSchema


class CompanyRead(ReadSchema):
    id: uuid.UUID
    name: str
    slug: str
    currency: str
    timezone: str
    created_at: datetime
