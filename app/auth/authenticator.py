"""A request's credential -> its principal, rate limited, with one Redis round trip and,
most of the time, no database query.

Per request:
1. The credential's cached entry, if any, names the company and the credential to count.
   Without one, an access token names them itself (its signature and expiry checked); an
   API key seen for the first time is read from the database first.
2. One Redis round trip counts the request against the credential's rate limit and reads
   the company's and the global auth versions (app/auth/versions.py).
3. The cached principal is used when those versions are the ones it was read under. Else
   the database decides (app.auth.service.authenticate), and the principal is cached under
   the versions read in step 2: read *before* the database, so a change committed in
   between leaves a newer version that the next request will not match.

Without Redis the limiter lets requests through (as before) and the cache is neither used
nor filled: every request asks the database, so revocation never waits for Redis.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository as credentials
from app.auth import service as auth_service
from app.auth import versions
from app.auth.cache import UNVERIFIED, Entry, PrincipalCache
from app.auth.principal import Principal
from app.auth.tokens import AccessClaims, api_key_prefix, read_access_token
from app.errors import Unauthorized
from app.kit import ratelimit

# `api_key.last_used_at` is written at most this often by a process (app.auth.service writes
# it when the database is asked).
LAST_USED_SECONDS = auth_service.LAST_USED_RESOLUTION.total_seconds()


async def _count(
    redis: Redis, credential_id: uuid.UUID, company_id: uuid.UUID, limit: int
) -> tuple[bytes | None, ...] | None:
    """Rate-limit the credential and read its company's auth versions, in one round trip."""
    found = await ratelimit.hit(
        redis, f"cred:{credential_id}", limit, read=versions.version_keys(company_id)
    )
    return None if found is None else tuple(found)


async def authenticate(
    *,
    session: AsyncSession,
    redis: Redis,
    cache: PrincipalCache,
    secret_key: str,
    credential: str,
    rate_limit: int,
) -> Principal:
    """The principal of `credential`, counted against its rate limit. Raises Unauthorized
    (invalid, expired, revoked, creator or user disabled) or RateLimited."""
    entry = cache.get(credential) if cache.enabled else None
    claims: AccessClaims | None = None
    if entry is not None:
        company_id = entry.principal.company_id
        credential_id = entry.principal.credential_id
    elif api_key_prefix(credential) is None:
        claims = read_access_token(secret_key, credential)  # 401 before anything is counted
        company_id, credential_id = claims.company_id, claims.user_id
    else:
        # A key this process has not seen: only the database knows its company.
        principal = await auth_service.authenticate(session, secret_key, credential)
        await _count(redis, principal.credential_id, principal.company_id, rate_limit)
        cache.put(credential, principal, UNVERIFIED, touched_at=time.time())
        return principal

    current = await _count(redis, credential_id, company_id, rate_limit)
    if entry is not None and current is not None and entry.versions == current:
        if entry.principal.api_key_id is not None:
            await _touch(session, entry.principal.api_key_id, entry)
        return entry.principal
    try:
        principal = await auth_service.authenticate(session, secret_key, credential, claims=claims)
    except Unauthorized:
        cache.forget(credential)  # revoked, disabled or expired: nothing left to reuse
        raise
    if current is None:
        cache.forget(credential)
    else:
        not_after = claims.expires_at if claims is not None else None
        if entry is not None and principal.api_key_id is None:
            not_after = entry.expires_at  # never past the token's expiry, cached or not
        cache.put(credential, principal, current, not_after=not_after, touched_at=time.time())
    return principal


async def _touch(session: AsyncSession, key_id: uuid.UUID, entry: Entry) -> None:
    """Record that the key is in use, at most once a minute per process."""
    now = time.time()
    if now - entry.touched_at < LAST_USED_SECONDS:
        return
    entry.touched_at = now
    await credentials.touch_api_key(session, key_id, datetime.fromtimestamp(now, UTC))
