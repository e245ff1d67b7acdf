"""Handing stored Stripe events to the worker. Redis only delivers: the event row is the
work, so a delivery lost here is found again by the sweeper (workers/stripe_events.py)."""

from __future__ import annotations

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

PROCESS_JOB = "process_stripe_event"


async def enqueue_event(arq: ArqRedis, event_id: str) -> bool:
    """Enqueue one event under its own id as the job id, so arq holds at most one job per
    event however many deliveries and sweeps ask. False when Redis could not be reached."""
    try:
        await arq.enqueue_job(PROCESS_JOB, event_id, _job_id=event_id)
    except (RedisError, OSError) as exc:
        log.warning("stripe_event_enqueue_failed", event_id=event_id, error=str(exc))
        return False
    return True
