"""Fixed-window rate limits kept in Redis, so every API process counts against one budget."""

from __future__ import annotations

import time
from collections.abc import Sequence

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.errors import RateLimited

WINDOW_SECONDS = 60
log = structlog.get_logger(__name__)


async def hit(
    redis: Redis, identity: str, limit: int, *, read: Sequence[str] = ()
) -> list[bytes | None] | None:
    """Count one request for `identity`; raise RateLimited beyond `limit` per minute.

    The values of the keys in `read` come back from the same round trip (the auth versions
    of app/auth/versions.py), in order, missing keys as None. None instead of the list means
    Redis could not be asked: the request is let through, since an outage of the limiter must
    not become an outage of the API (readiness reports Redis separately), and the caller
    must not trust anything it would have checked against those values.
    """
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"rl:{identity}:{window}"
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS + 1)
            if read:
                pipe.mget(read)
            results = await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("rate_limit_unavailable", error=str(exc))
        return None
    if int(results[0]) > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * WINDOW_SECONDS - now) + 1))
    values: list[bytes | None] = results[2] if read else []
    return values
