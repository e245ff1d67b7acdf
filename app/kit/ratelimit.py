"""Fixed-window rate limits kept in Redis, so every API process counts against one budget."""

from __future__ import annotations

import time

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.errors import RateLimited

WINDOW_SECONDS = 60
log = structlog.get_logger(__name__)


async def hit(redis: Redis, identity: str, limit: int) -> None:
    """Count one request for `identity`; raise RateLimited beyond `limit` per minute.

    When Redis is unreachable the request is let through: an outage of the limiter must not
    become an outage of the API (readiness reports Redis separately).
    """
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"rl:{identity}:{window}"
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS + 1)
            count, _ = await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("rate_limit_unavailable", error=str(exc))
        return
    if int(count) > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * WINDOW_SECONDS - now) + 1))
