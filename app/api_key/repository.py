from __future__ import annotations

from app.api_key.models import ApiKey
from app.kit.repository import TenantRepository


class ApiKeyRepository(TenantRepository[ApiKey]):
    model = ApiKey
    label = "API key"
