"""API keys for integrations: shown once, stored hashed, narrower than their creator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api_key.models import ApiKey
from app.api_key.repository import ApiKeyRepository
from app.api_key.schemas import ApiKeyCreate
from app.auth.principal import Principal
from app.auth.tokens import hash_secret, new_api_key
from app.errors import PermissionDenied
from app.event import service as events
from app.group.service import valid_permissions
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort

SORT = Sort("-created_at", ApiKey.created_at, ApiKey.id, descending=True)


async def list_keys(
    session: AsyncSession,
    principal: Principal,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[ApiKey]:
    repository = ApiKeyRepository(session, principal.company_id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    return await ApiKeyRepository(session, principal.company_id).get_or_404(key_id)


async def create_key(
    session: AsyncSession, principal: Principal, body: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """Create a key carrying `body.permissions`, which must all be held by the caller
    (403 naming the first one that is not). Returns the key and its one-time secret."""
    granted = valid_permissions(body.permissions)
    for permission in granted:
        if not principal.has(permission):
            raise PermissionDenied(permission)
    prefix, secret = new_api_key()
    repository = ApiKeyRepository(session, principal.company_id)
    key = repository.add(
        ApiKey(
            name=body.name,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            permissions=granted,
            created_by_id=principal.user_id,
        )
    )
    await session.flush()
    events.record(session, principal, "created", key)
    return key, secret


async def revoke_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key; it answers 401 from the next request on. Revoking twice is a no-op."""
    repository = ApiKeyRepository(session, principal.company_id)
    key = await repository.get_or_404(key_id, for_update=True)
    if key.revoked_at is None:
        before = events.snapshot(key)
        key.revoked_at = datetime.now(UTC)
        await session.flush()
        events.record(session, principal, "revoked", key, before=before)
    return key
