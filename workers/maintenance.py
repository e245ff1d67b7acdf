"""Housekeeping jobs. Each is idempotent: running it twice, or late, changes nothing more."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.models import RefreshToken
from app.kit import idempotency

log = structlog.get_logger(__name__)


async def purge_expired(ctx: dict[str, Any]) -> dict[str, int]:
    """Forget idempotency keys past their TTL and refresh tokens past their expiry."""
    sessions: async_sessionmaker[AsyncSession] = ctx["sessions"]
    ttl = timedelta(seconds=ctx["settings"].idempotency_ttl_seconds)
    async with sessions.begin() as session:
        keys = await idempotency.purge_expired(session, ttl)
        result: Any = await session.execute(
            delete(RefreshToken).where(RefreshToken.expires_at < func.now())
        )
        tokens = int(result.rowcount or 0)
    log.info("purged_expired", idempotency_keys=keys, refresh_tokens=tokens)
    return {"idempotency_keys": keys, "refresh_tokens": tokens}
